import { appendAudit } from '../../platform/audit';
import { type IdentityConnectionRow } from '../../platform/identity/connections';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { connectionIdParams } from './identityConnectionView';

export const deleteIdentityConnection = defineRoute({
  method: 'delete',
  path: '/v1/identity/connections/:id',
  auth: 'tenant',
  summary: 'Remove an identity provider connection (its pending sign-ins end with it)',
  tags: ['identity'],
  params: connectionIdParams,
  responses: { 204: { description: 'Removed' }, 404: { description: 'No such connection' } },
  async handler({ deps, principal, params, req }) {
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      const [removed] = await trx<IdentityConnectionRow>('identity_connections').where({ id: params.id }).delete().returning('*');
      if (!removed) throw errors.notFound('Connection');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'identity.connection_deleted',
        target: { type: 'identity_connection', id: params.id },
        details: { type: removed.type, name: removed.name },
      });
    });
    return { status: 204 };
  },
});
