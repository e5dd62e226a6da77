import { ScheduleNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { connectorIdParams } from '../connectors/connectorView';
import { type ApiDeps } from '../deps';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { syncScheduleSchema } from './putConnectorSchedule';

interface ScheduleRow {
  connector_id: string;
  every: string | null;
  cron: string | null;
  reconcile_every: string | null;
  schedule_id: string;
}

/** The next start and paused state Temporal holds for a schedule; null when Temporal has no such schedule. */
async function describeSchedule(deps: Pick<ApiDeps, 'temporal'>, scheduleId: string): Promise<{ nextRunAt: string | null; paused: boolean } | null> {
  try {
    const described = await deps.temporal.schedule.getHandle(scheduleId).describe();
    return { nextRunAt: described.info.nextActionTimes[0]?.toISOString() ?? null, paused: described.state.paused };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

export const getConnectorSchedule = defineRoute({
  method: 'get',
  path: '/v1/connectors/:id/schedule',
  auth: 'tenant',
  summary: "The connector's sync schedule (interval, paused, next run from its Temporal Schedule), or null when it has none",
  tags: ['connectors'],
  params: connectorIdParams,
  responses: {
    200: {
      description: 'The schedule, or `schedule: null` when the connector is not synced periodically',
      schema: z.object({ schedule: syncScheduleSchema.nullable() }),
    },
    404: { description: 'No such connector in this tenant' },
  },
  async handler({ deps, params, principal }) {
    const { knex } = deps.db;
    const [connectors, schedules] = await Promise.all([
      deps.db.readAsTenant<{ id: string; status: 'active' | 'paused' }>(principal.tenantId, knex('connectors').select('id', 'status').where({ id: params.id })),
      deps.db.readAsTenant<ScheduleRow>(
        principal.tenantId,
        knex('sync_schedules').select('connector_id', 'every', 'cron', 'reconcile_every', 'schedule_id').where({ connector_id: params.id }),
      ),
    ]);
    const connector = connectors[0];
    if (!connector) throw errors.notFound('Connector');
    const row = schedules[0];
    if (!row) return { status: 200, body: { schedule: null } };
    const sync = await describeSchedule(deps, row.schedule_id);
    const reconcileId = workflowIds.reconcileSchedule(principal.tenantSlug, row.connector_id);
    const reconcile = row.reconcile_every ? await describeSchedule(deps, reconcileId) : null;
    return {
      status: 200,
      body: {
        schedule: {
          connectorId: row.connector_id,
          every: row.every,
          cron: row.cron,
          scheduleId: row.schedule_id,
          paused: sync?.paused ?? connector.status === 'paused',
          nextRunAt: sync?.nextRunAt ?? null,
          reconcile: row.reconcile_every ? { every: row.reconcile_every, scheduleId: reconcileId, nextRunAt: reconcile?.nextRunAt ?? null } : null,
        },
      },
    };
  },
});
