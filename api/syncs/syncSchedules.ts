import { withStartDeadline } from '../../platform/temporal/temporalUnavailable';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { durationMs } from '../../platform/config';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { type ApiDeps } from '../deps';
import { type SyncConnector, syncWorkflowStart } from './syncWorkflowStart';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import { workflowRouting } from '../../platform/temporal/taskQueues';

/** `every` of PUT /v1/connectors/:id/schedule: minutes, hours or days, at least a minute, at most 30 days. */
export const SCHEDULE_EVERY = /^([1-9]\d{0,5})(m|h|d)$/;
/** The intervals {@link scheduleIntervalMs} accepts, as one pattern for the OpenAPI document: 1–43200m, 1–720h, 1–30d. */
export const SCHEDULE_EVERY_IN_RANGE =
  '^(?:(?:[1-9]\\d{0,3}|[1-3]\\d{4}|4[0-2]\\d{3}|43[01]\\d{2}|43200)m|(?:[1-9]\\d?|[1-6]\\d{2}|7[01]\\d|720)h|(?:[1-9]|[12]\\d|30)d)$';
const MIN_EVERY_MS = 60_000;
const MAX_EVERY_MS = 30 * 86_400_000;

export function scheduleIntervalMs(every: string): number | undefined {
  if (!SCHEDULE_EVERY.test(every)) return undefined;
  const ms = durationMs(every);
  return ms >= MIN_EVERY_MS && ms <= MAX_EVERY_MS ? ms : undefined;
}

/**
 * A cron expression of `PUT /v1/connectors/:id/schedule {cron}`: five fields (minute, hour, day of
 * month, month, day of week), in UTC. Temporal parses it; this only refuses what cannot be one.
 */
export const SCHEDULE_CRON = /^\s*[0-9A-Za-z*?,/#-]+(\s+[0-9A-Za-z*?,/#-]+){4}\s*$/;

/** When a schedule fires: at an interval, or by a cron expression. */
export type ScheduleTiming = { every: string } | { cron: string };

/** How late a missed cron run may still start after an outage (a cron may fire every minute: keep it short). */
const CRON_CATCHUP_MS = 300_000;

/**
 * How late a missed run may still start after an outage: one interval, between a minute and an
 * hour. Bounded, so a long outage does not replay a burst of old runs (overlap SKIP would drop
 * most of them anyway).
 */
export function catchupWindowMs(everyMs: number): number {
  return Math.min(Math.max(everyMs, 60_000), 3_600_000);
}

/** A connector's two schedules: its incremental syncs, and (optionally) its reconcile runs. */
export type ScheduleKind = 'sync' | 'reconcile';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['sync', 'reconcile'];

const scheduleIdOf = (kind: ScheduleKind, tenantSlug: string, connectorId: string) =>
  kind === 'sync' ? workflowIds.syncSchedule(tenantSlug, connectorId) : workflowIds.reconcileSchedule(tenantSlug, connectorId);

/**
 * Creates or replaces a Temporal Schedule of a connector: every `every` (or by its cron expression, UTC), start a `connectorSync`
 * — incremental for `sync` (workflow id `sync/<slug>/<connectorId>/scheduled-<time>`), a reconcile
 * run for `reconcile` (`…/reconcile-<time>`) — with the sync search attributes and memo; overlap
 * policy SKIP (a run still going when the next is due makes the schedule skip it; a run due while
 * another run of the connector is syncing is skipped by the claim); bounded catch-up window;
 * paused while the connector is paused.
 */
export async function upsertSyncSchedule(
  deps: Pick<ApiDeps, 'temporal' | 'config'>,
  tenant: { tenantId: string; tenantSlug: string },
  connector: SyncConnector,
  timing: ScheduleTiming,
  kind: ScheduleKind = 'sync',
): Promise<{ scheduleId: string; nextRunAt: string | null; paused: boolean }> {
  const scheduleId = scheduleIdOf(kind, tenant.tenantSlug, connector.id);
  const mode = kind === 'sync' ? 'incremental' : 'reconcile';
  const start = syncWorkflowStart(deps.config, tenant, connector, { mode, streams: null, trigger: 'schedule', requestedBy: `schedule:${scheduleId}` });
  const options: ScheduleOptions = {
    scheduleId,
    spec: 'cron' in timing ? { cronExpressions: [timing.cron.trim()] } : { intervals: [{ every: durationMs(timing.every) }] },
    action: {
      type: 'startWorkflow',
      workflowType: WORKFLOW_TYPES.connectorSync,
      workflowId:
        kind === 'sync' ? workflowIds.scheduledSync(tenant.tenantSlug, connector.id) : workflowIds.scheduledReconcile(tenant.tenantSlug, connector.id),
      ...workflowRouting(deps.config, WORKFLOW_TYPES.connectorSync, tenant.tenantId),
      args: [start.input],
      typedSearchAttributes: start.typedSearchAttributes,
      memo: start.memo,
      staticSummary: `Scheduled ${start.summary.charAt(0).toLowerCase()}${start.summary.slice(1)}`,
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: 'cron' in timing ? CRON_CATCHUP_MS : catchupWindowMs(durationMs(timing.every)),
      pauseOnFailure: false,
    },
    state: { paused: connector.status === 'paused', note: connector.status === 'paused' ? 'connector paused' : undefined },
    typedSearchAttributes: start.typedSearchAttributes,
    memo: { connectorName: connector.name, ...timing },
  };
  let handle;
  try {
    handle = await withStartDeadline(deps.temporal, () => deps.temporal.schedule.create(options));
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    handle = deps.temporal.schedule.getHandle(scheduleId);
    await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
  const described = await handle.describe();
  return { scheduleId, nextRunAt: described.info.nextActionTimes[0]?.toISOString() ?? null, paused: described.state.paused };
}

/** Deletes one of the connector's schedules (by default the sync one); false when Temporal has none. */
export async function deleteSyncSchedule(
  deps: Pick<ApiDeps, 'temporal'>,
  tenantSlug: string,
  connectorId: string,
  kind: ScheduleKind = 'sync',
): Promise<boolean> {
  try {
    await deps.temporal.schedule.getHandle(scheduleIdOf(kind, tenantSlug, connectorId)).delete();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

/** Pauses or unpauses the connector's schedules, those it has. */
export async function setSyncSchedulePaused(
  deps: Pick<ApiDeps, 'temporal'>,
  tenantSlug: string,
  connectorId: string,
  paused: boolean,
  note: string,
): Promise<void> {
  for (const kind of SCHEDULE_KINDS) {
    const handle = deps.temporal.schedule.getHandle(scheduleIdOf(kind, tenantSlug, connectorId));
    try {
      if (paused) await handle.pause(note);
      else await handle.unpause(note);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
}
