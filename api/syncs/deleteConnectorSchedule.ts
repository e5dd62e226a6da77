import { appendAudit } from '../../platform/audit';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { deleteSyncSchedule, SCHEDULE_KINDS } from './syncSchedules';
import { apiKeyActor } from '../connectors/apiKeyActor';
import { connectorIdParams } from '../connectors/connectorView';

export const deleteConnectorSchedule = defineRoute({
  method: 'delete',
  path: '/v1/connectors/:id/schedule',
  auth: 'tenant',
  summary: 'Stop syncing the connector periodically (deletes its Temporal Schedule; a run in progress continues)',
  tags: ['connectors'],
  params: connectorIdParams,
  responses: {
    204: { description: 'Deleted' },
    404: { description: 'No such connector in this tenant, or it has no schedule' },
  },
  async handler({ deps, params, principal, req }) {
    const [row] = await deps.db.readAsTenant<{ connector_id: string }>(
      principal.tenantId,
      deps.db.knex('sync_schedules').select('connector_id').where({ connector_id: params.id }),
    );
    if (!row) throw errors.notFound('Schedule');
    for (const kind of SCHEDULE_KINDS) await deleteSyncSchedule(deps, principal.tenantSlug, params.id, kind);
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      await trx('sync_schedules').where({ connector_id: params.id }).del();
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: apiKeyActor(principal, req),
        action: 'connector.schedule_deleted',
        target: { type: 'connector', id: params.id },
      });
    });
    return { status: 204 };
  },
});
