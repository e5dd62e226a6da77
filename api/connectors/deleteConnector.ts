import { appendAudit } from '../../platform/audit';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { deleteSyncSchedule, SCHEDULE_KINDS } from '../syncs/syncSchedules';
import { apiKeyActor } from './apiKeyActor';
import { connectorIdParams } from './connectorView';

export const deleteConnector = defineRoute({
  method: 'delete',
  path: '/v1/connectors/:id',
  auth: 'tenant',
  summary: 'Delete a connector, its encrypted credentials, its synced records and its sync schedule',
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
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: apiKeyActor(principal, req),
          action: 'connector.deleted',
          target: { type: 'connector', id: params.id },
          details: row,
        });
      }
      return row !== undefined;
    });
    if (!deleted) throw errors.notFound('Connector');
    // Its records, cursors and runs went with it (foreign keys); its schedules must not fire again.
    for (const kind of SCHEDULE_KINDS) {
      await deleteSyncSchedule(deps, principal.tenantSlug, params.id, kind).catch((error: unknown) =>
        deps.logger.warn({ err: error, connectorId: params.id, kind }, 'could not delete a schedule of a deleted connector'),
      );
    }
    return { status: 204 };
  },
});
