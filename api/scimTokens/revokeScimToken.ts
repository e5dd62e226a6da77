import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';

export const revokeScimToken = defineRoute({
  method: 'delete',
  path: '/v1/scim-token',
  auth: 'tenant',
  summary: 'Revoke the SCIM token: the identity provider’s requests are refused (401) from now on',
  tags: ['scim'],
  responses: { 204: { description: 'Revoked' }, 404: { description: 'There is no live SCIM token (NOT_FOUND)' } },
  async handler({ deps, principal, req }) {
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      const revoked: Array<{ id: string; token_hint: string }> = await trx('scim_tokens')
        .whereNull('revoked_at')
        .update({ revoked_at: trx.fn.now() })
        .returning(['id', 'token_hint']);
      if (revoked.length === 0) throw errors.notFound('SCIM token');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'scim_token.revoked',
        target: { type: 'scim_token', id: revoked[0]!.id },
        details: { hint: revoked[0]!.token_hint },
      });
    });
    return { status: 204 };
  },
});
