import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { type ConnectorRow } from '../../platform/connectorStore';
import { isForeignKeyViolation } from '../../platform/db';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import {
  deleteSyncSchedule,
  SCHEDULE_CRON,
  SCHEDULE_EVERY,
  SCHEDULE_EVERY_IN_RANGE,
  SCHEDULE_KINDS,
  scheduleIntervalMs,
  upsertSyncSchedule,
  type ScheduleTiming,
} from './syncSchedules';
import { apiKeyActor } from '../connectors/apiKeyActor';
import { connectorIdParams } from '../connectors/connectorView';

export const syncScheduleSchema = z.object({
  connectorId: z.uuid(),
  every: z.string().nullable().describe('Interval between incremental runs; null when the schedule follows `cron`'),
  cron: z.string().nullable().describe('Cron expression (UTC) of the incremental runs; null when the schedule runs at an interval'),
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

/** Temporal's refusal of a request it cannot parse: the client rethrows INVALID_ARGUMENT as a TypeError ("Minute is not in range"). */
function isInvalidArgument(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === 3) return true;
  }
  return false;
}

export const putConnectorSchedule = defineRoute({
  method: 'put',
  path: '/v1/connectors/:id/schedule',
  auth: 'tenant',
  summary:
    'Sync the connector periodically, and optionally reconcile it at an interval of its own (Temporal Schedules: overlapping runs are skipped); replaces an existing schedule',
  tags: ['connectors'],
  params: connectorIdParams,
  body: z
    .strictObject({
      every: everyField('incremental runs (give this or cron)').optional(),
      cron: z
        .string()
        .max(200)
        .regex(SCHEDULE_CRON, 'must be a cron expression of five fields: minute hour day-of-month month day-of-week, e.g. 0 */6 * * *')
        .optional()
        .describe('When incremental runs start, as a cron expression in UTC (give this or every), e.g. 0 */6 * * *'),
      reconcileEvery: everyField('reconcile runs (e.g. 1d); without it the connector has no reconcile schedule').optional(),
    })
    // Stated in the document too: a client (and the fuzzer) must know that exactly one is required.
    .meta({ oneOf: [{ required: ['every'] }, { required: ['cron'] }], description: 'Exactly one of every and cron' })
    .superRefine((value, context) => {
      if ((value.every === undefined) === (value.cron === undefined))
        context.addIssue({ code: 'custom', path: [value.every === undefined ? 'every' : 'cron'], message: 'give exactly one of every and cron' });
    }),
  responses: {
    200: { description: 'The schedule', schema: z.object({ schedule: syncScheduleSchema }) },
    400: {
      description:
        'An interval that is not between 1m and 30d, both or neither of every and cron, or a cron expression Temporal cannot parse (details name the field)',
    },
    404: { description: 'No such connector in this tenant' },
  },
  async handler({ deps, params, body, principal, req }) {
    const [row] = await deps.db.readAsTenant<Pick<ConnectorRow, 'id' | 'type' | 'name' | 'status'>>(
      principal.tenantId,
      deps.db.knex('connectors').select('id', 'type', 'name', 'status').where({ id: params.id }),
    );
    if (!row) throw errors.notFound('Connector');
    const timing: ScheduleTiming = body.cron !== undefined ? { cron: body.cron.trim() } : { every: body.every! };
    const schedule = await upsertSyncSchedule(deps, principal, row, timing).catch((error: unknown) => {
      if ('cron' in timing && isInvalidArgument(error))
        throw errors.validation([
          { path: 'body.cron', message: `Temporal cannot parse this cron expression: ${(error as Error).message}`, code: 'invalid_format' },
        ]);
      throw error;
    });
    let reconcile: { every: string; scheduleId: string; nextRunAt: string | null } | null = null;
    if (body.reconcileEvery) {
      const { scheduleId, nextRunAt } = await upsertSyncSchedule(deps, principal, row, { every: body.reconcileEvery }, 'reconcile');
      reconcile = { every: body.reconcileEvery, scheduleId, nextRunAt };
    }
    if (!reconcile) await deleteSyncSchedule(deps, principal.tenantSlug, row.id, 'reconcile');
    const recordSchedule = async (): Promise<void> => {
      await deps.db.withTenant(principal.tenantId, async (trx) => {
        const previous = (await trx('sync_schedules').where({ connector_id: row.id }).first('every', 'cron', 'reconcile_every')) as
          { every: string | null; cron: string | null; reconcile_every: string | null } | undefined;
        await trx.raw(
          `insert into sync_schedules (tenant_id, connector_id, every, cron, reconcile_every, schedule_id, created_by) values (?, ?, ?, ?, ?, ?, ?)
         on conflict (connector_id) do update set every = excluded.every, cron = excluded.cron, reconcile_every = excluded.reconcile_every, schedule_id = excluded.schedule_id, updated_at = now()`,
          [
            principal.tenantId,
            row.id,
            'every' in timing ? timing.every : null,
            'cron' in timing ? timing.cron : null,
            body.reconcileEvery ?? null,
            schedule.scheduleId,
            `api_key:${principal.keyId}`,
          ],
        );
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: apiKeyActor(principal, req),
          action: 'connector.schedule_set',
          target: { type: 'connector', id: row.id },
          details: {
            ...timing,
            scheduleId: schedule.scheduleId,
            reconcileEvery: body.reconcileEvery ?? null,
            ...(previous
              ? { previous: previous.every ?? undefined, previousCron: previous.cron ?? undefined, previousReconcileEvery: previous.reconcile_every }
              : {}),
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
    return {
      status: 200,
      body: {
        schedule: { connectorId: row.id, every: 'every' in timing ? timing.every : null, cron: 'cron' in timing ? timing.cron : null, ...schedule, reconcile },
      },
    };
  },
});
