import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { assertRoleWithinCaller } from '../auth/escalation';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { apiKeyIdParams, type ApiKeyRow } from './apiKeyView';
import { creatorRef } from '../auth/creatorRef';

export const revokeApiKey = defineRoute({
  method: 'delete',
  path: '/v1/api-keys/:id',
  auth: 'tenant',
  summary:
    'Revoke an API key: every API replica refuses it from now on. A member key revokes only keys it created (and itself); managers and admins any key up to their role',
  tags: ['api-keys'],
  params: apiKeyIdParams,
  responses: {
    204: { description: 'Revoked (also when it already was)' },
    403: { description: 'The key’s role is above the caller’s, or a member key revokes a key it did not create (FORBIDDEN)' },
    404: { description: 'No such key in this tenant' },
    409: { description: 'The last active admin key (LAST_ADMIN_KEY)' },
  },
  async handler({ deps, principal, params, req }) {
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      const current = await trx<ApiKeyRow>('api_keys')
        .where({ id: params.id })
        .forUpdate()
        .first('id', 'role', 'revoked_at', 'expires_at', 'key_prefix', 'created_by');
      if (!current) throw errors.notFound('API key');
      assertRoleWithinCaller(principal, current.role, 'revoke a key');
      // Members hold keys for their own integrations: another member's keys are not theirs to revoke.
      if (principal.role === 'member' && current.created_by !== creatorRef(principal) && current.id !== principal.keyId) {
        throw errors.forbidden('A member key may revoke only keys it created (or itself)');
      }
      if (current.revoked_at) return;
      if (current.role === 'admin') {
        const others = await trx('api_keys')
          .where({ role: 'admin' })
          .whereNull('revoked_at')
          .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', trx.fn.now()))
          .whereNot({ id: params.id })
          .forUpdate()
          .select('id');
        if (others.length === 0) throw errors.conflict('LAST_ADMIN_KEY', 'This is the last active admin key; create another admin key first');
      }
      await trx('api_keys').where({ id: params.id }).update({ revoked_at: trx.fn.now(), updated_at: trx.fn.now() });
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'api_key.revoked',
        target: { type: 'api_key', id: params.id },
        details: { prefix: current.key_prefix, role: current.role },
      });
    });
    // The trigger tells every replica; this one forgets the key before answering.
    deps.controlPlane.credentials.invalidateKey(params.id);
    return { status: 204 };
  },
});
