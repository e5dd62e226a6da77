import { appendAudit } from '../../../platform/audit';
import { errors } from '../../errors';
import { defineRoute } from '../../http/route';
import { apiKeyActor } from './connectorAudit';
import { connectorIdParams } from './connectorView';

export const deleteConnector = defineRoute({
  method: 'delete',
  path: '/v1/connectors/:id',
  auth: 'tenant',
  summary: 'Delete a connector and its encrypted credentials',
  tags: ['connectors'],
  params: connectorIdParams,
  responses: {
    204: { description: 'Deleted' },
    404: { description: 'No such connector in this tenant' },
  },
  async handler({ deps, params, principal, req }) {
    const deleted = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const rows = await trx('connectors').where({ id: params.id, tenant_id: principal.tenantId }).del().returning(['type', 'name']);
      const row = rows[0] as { type: string; name: string } | undefined;
      if (row) {
        await appendAudit(trx, { tenantId: principal.tenantId, actor: apiKeyActor(principal, req), action: 'connector.deleted', target: { type: 'connector', id: params.id }, details: row });
      }
      return row !== undefined;
    });
    if (!deleted) throw errors.notFound('Connector');
    return { status: 204 };
  },
});
