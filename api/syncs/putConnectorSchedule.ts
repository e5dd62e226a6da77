import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { type ConnectorRow } from '../../platform/connectorStore';
import { isForeignKeyViolation } from '../../platform/db';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { deleteSyncSchedule, SCHEDULE_EVERY, SCHEDULE_EVERY_IN_RANGE, SCHEDULE_KINDS, scheduleIntervalMs, upsertSyncSchedule } from './syncSchedules';
import { apiKeyActor } from '../connectors/apiKeyActor';
import { connectorIdParams } from '../connectors/connectorView';

export const syncScheduleSchema = z.object({
  connectorId: z.uuid(),
  every: z.string(),
  scheduleId: z.string().describe('Temporal Schedule id'),
  paused: z.boolean(),
  nextRunAt: z.iso.datetime().nullable(),
  reconcile: z
    .object({
      every: z.string(),
      scheduleId: z.string().describe('Temporal Schedule id of the reconcile runs'),
      nextRunAt: z.iso.datetime().nullable(),
    })
    .nullable()
    .describe('Periodic reconcile runs (full reads that repair what incremental cursors missed), when set'),
});

const everyField = (what: string) =>
  z
    .string()
    .regex(SCHEDULE_EVERY, 'must be minutes, hours or days, e.g. 15m, 6h, 1d')
    .refine((value) => scheduleIntervalMs(value) !== undefined, 'must be between 1m and 30d')
    .meta({ pattern: SCHEDULE_EVERY_IN_RANGE })
    .describe(`Interval between ${what}, e.g. 15m, 6h, 1d (1m to 30d)`);

export const putConnectorSchedule = defineRoute({
  method: 'put',
  path: '/v1/connectors/:id/schedule',
  auth: 'tenant',
  summary:
    'Sync the connector periodically, and optionally reconcile it at an interval of its own (Temporal Schedules: overlapping runs are skipped); replaces an existing schedule',
  tags: ['connectors'],
  params: connectorIdParams,
  body: z.strictObject({
    every: everyField('incremental runs'),
    reconcileEvery: everyField('reconcile runs (e.g. 1d); without it the connector has no reconcile schedule').optional(),
  }),
  responses: {
    200: { description: 'The schedule', schema: z.object({ schedule: syncScheduleSchema }) },
    400: { description: 'An interval that is not between 1m and 30d' },
    404: { description: 'No such connector in this tenant' },
  },
  async handler({ deps, params, body, principal, req }) {
    const [row] = await deps.db.readAsTenant<Pick<ConnectorRow, 'id' | 'type' | 'name' | 'status'>>(
      principal.tenantId,
      deps.db.knex('connectors').select('id', 'type', 'name', 'status').where({ id: params.id }),
    );
    if (!row) throw errors.notFound('Connector');
    const schedule = await upsertSyncSchedule(deps, principal, row, body.every);
    let reconcile: { every: string; scheduleId: string; nextRunAt: string | null } | null = null;
    if (body.reconcileEvery) {
      const { scheduleId, nextRunAt } = await upsertSyncSchedule(deps, principal, row, body.reconcileEvery, 'reconcile');
      reconcile = { every: body.reconcileEvery, scheduleId, nextRunAt };
    }
    if (!reconcile) await deleteSyncSchedule(deps, principal.tenantSlug, row.id, 'reconcile');
    const recordSchedule = async (): Promise<void> => {
      await deps.db.withTenant(principal.tenantId, async (trx) => {
        const previous = (await trx('sync_schedules').where({ connector_id: row.id }).first('every', 'reconcile_every')) as
          { every: string; reconcile_every: string | null } | undefined;
        await trx.raw(
          `insert into sync_schedules (tenant_id, connector_id, every, reconcile_every, schedule_id, created_by) values (?, ?, ?, ?, ?, ?)
         on conflict (connector_id) do update set every = excluded.every, reconcile_every = excluded.reconcile_every, schedule_id = excluded.schedule_id, updated_at = now()`,
          [principal.tenantId, row.id, body.every, body.reconcileEvery ?? null, schedule.scheduleId, `api_key:${principal.keyId}`],
        );
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: apiKeyActor(principal, req),
          action: 'connector.schedule_set',
          target: { type: 'connector', id: row.id },
          details: {
            every: body.every,
            scheduleId: schedule.scheduleId,
            reconcileEvery: body.reconcileEvery ?? null,
            ...(previous ? { previous: previous.every, previousReconcileEvery: previous.reconcile_every } : {}),
          },
        });
      });
    };
    await recordSchedule().catch(async (error: unknown) => {
      if (!isForeignKeyViolation(error)) throw error;
      // The connector was deleted while its schedules were being set: they must not fire.
      for (const kind of SCHEDULE_KINDS) await deleteSyncSchedule(deps, principal.tenantSlug, row.id, kind);
      throw errors.notFound('Connector');
    });
    return { status: 200, body: { schedule: { connectorId: row.id, every: body.every, ...schedule, reconcile } } };
  },
});
