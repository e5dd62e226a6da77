import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  proxyActivities,
  sleep,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { PageOutcome, StreamStats } from '../activities/sync/syncTypes';
import { DATABASE_CONSTRAINT, NON_RETRYABLE_CONNECTOR_FAILURE_TYPES, SYNC_RUN_SUPERSEDED, type JobWorkflowInput } from './contracts';
import { type JobControl, runJob } from './jobs/runJob';
import { type CarriedSyncState, type ConnectorSyncInput, type ConnectorSyncResult, type SkippedSync, type StreamRun } from './sync/syncState';

/**
 * Page activities: a killed worker is noticed by the heartbeat timeout (the activity heartbeats
 * every few seconds while it reads); failures retry with backoff from the last committed page;
 * auth and configuration failures, and a run that lost its stream to another run, are final.
 */
const pageActivityOptions: ActivityOptions = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...NON_RETRYABLE_CONNECTOR_FAILURE_TYPES, SYNC_RUN_SUPERSEDED, DATABASE_CONSTRAINT],
  },
};
const { readAndStorePage } = proxyActivities<HubActivities>(pageActivityOptions);

const runStepRetry = {
  initialInterval: '1 second',
  maximumInterval: '30 seconds',
  maximumAttempts: 20,
  nonRetryableErrorTypes: [SYNC_RUN_SUPERSEDED, DATABASE_CONSTRAINT],
};
// One short transaction each: a worker killed mid-step is noticed after 30 s, not minutes.
const { claimSyncRun, acquireSyncSlot, beginStreamSync, failSyncRun, cancelSyncRun } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: runStepRetry,
});
// Finishing a full refresh sweeps the records the run did not see, in one transaction: more time.
const { finishSyncRun } = proxyActivities<HubActivities>({ startToCloseTimeout: '2 minutes', retry: runStepRetry });

/** A source that keeps answering 429 for this many tries in a row fails the run. */
const MAX_CONSECUTIVE_WAITS = 100;
const DEFAULT_PARALLEL_STREAMS = 3;

const zeroStats = (): StreamStats => ({ read: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, pages: 0, retries: 0, rateLimited: 0, throttled: 0 });

/**
 * `connectorSync`: one run of one connector's sync (a job of kind `sync`). Workflow id
 * `sync/<slug>/<connectorId>/runs/<jobId>` from the API, `sync/<slug>/<connectorId>/scheduled-<time>`
 * from the connector's schedule.
 *
 * 1. Claims the run (schedule-started runs record their job here; a paused or already syncing
 *    connector skips the scheduled run), then waits for one of the tenant's concurrent sync slots.
 * 2. Runs the streams, a few at once (bounded parallelism), each as a loop of `readAndStorePage`
 *    activities: one page read, upserted and committed with its cursor per activity. Between
 *    pages it honours pause/resume signals and cancellation (the page in flight finishes, so the
 *    cursor always matches the records); 429s and an exhausted request budget wait on durable
 *    timers; when Temporal suggests it (or after a configured number of pages) the run drains
 *    its pages and continues as new with its position and counters.
 * 3. Finishes: a full refresh sweeps records it did not see (deleted), then `sync.completed`.
 *    Failures record `sync.failed`; a cancelled run keeps its cursors and sweeps nothing.
 * Progress (`GET /v1/jobs/:id`) is the job's `progress` query, with per-stream counters.
 */
export async function connectorSync(input: ConnectorSyncInput): Promise<ConnectorSyncResult | SkippedSync> {
  const info = workflowInfo();
  const { tenantId } = input;
  const { connectorId, mode } = input.params;
  let state: CarriedSyncState;
  if (input.carried) {
    state = input.carried;
  } else {
    const claim = await claimSyncRun({
      tenantId,
      tenantSlug: input.tenantSlug,
      connectorId,
      jobId: input.jobId,
      workflowId: info.workflowId,
      firstExecutionRunId: info.firstExecutionRunId,
      mode,
      streams: input.params.streams,
      trigger: input.trigger,
      requestedBy: input.requestedBy,
    });
    if (!claim.claimed) return { skipped: true, reason: claim.reason, message: claim.message };
    state = {
      runId: claim.runId,
      connectorType: claim.connectorType,
      connectorName: claim.connectorName,
      slotAcquired: false,
      streams: claim.streams.map((name) => ({ name, begun: false, done: false, page: 0, stats: zeroStats() })),
      continuations: 0,
    };
  }

  const run = { tenantId, connectorId, runId: state.runId };
  const jobInput: JobWorkflowInput<unknown> = {
    jobId: state.runId,
    tenantId,
    tenantSlug: input.tenantSlug,
    kind: 'sync',
    params: input.params,
    requestedBy: input.requestedBy,
  };
  const failure: { stream: string | null } = { stream: null };
  return runJob(
    jobInput,
    async (control) => {
      try {
        return await syncStreams(input, state, control, failure);
      } catch (error) {
        // The run is closed before the job reports failed, so a client that sees the failure can start again at once.
        if (!(error instanceof ContinueAsNew) && !isCancellation(error)) {
          await CancellationScope.nonCancellable(() =>
            failSyncRun({ ...run, workflowId: info.workflowId, stream: failure.stream, error: failureSummary(error) }),
          );
        }
        throw error;
      }
    },
    () => cancelSyncRun({ ...run, workflowId: info.workflowId }),
  );
}

async function syncStreams(
  input: ConnectorSyncInput,
  state: CarriedSyncState,
  control: JobControl,
  failure: { stream: string | null },
): Promise<ConnectorSyncResult> {
  const { tenantId } = input;
  const { connectorId, mode } = input.params;
  const run = { tenantId, connectorId, runId: state.runId };
  const progress = control.progress;
  const streamProgress = Object.fromEntries(state.streams.map((stream) => [stream.name, stream.stats]));
  Object.assign(progress, { phase: 'waiting_for_slot', mode, connectorId, continuations: state.continuations, streams: streamProgress });
  const recount = () => {
    progress.done = state.streams.reduce((sum, stream) => sum + stream.stats.read, 0);
    progress.streamsDone = state.streams.filter((stream) => stream.done).length;
  };
  recount();

  // A slot among the tenant's concurrent syncs; waiting is a durable timer (cancellable).
  let backoff = 1_000;
  while (!state.slotAcquired) {
    const slot = await control.batch(() => acquireSyncSlot({ tenantId, runId: state.runId }));
    if (slot.acquired) {
      state.slotAcquired = true;
      break;
    }
    progress.slots = { running: slot.running, limit: slot.limit };
    await sleep(backoff);
    backoff = Math.min(backoff * 2, 15_000);
  }
  progress.phase = 'sync';

  const limits = {
    parallel: Math.max(1, input.options?.maxParallelStreams ?? DEFAULT_PARALLEL_STREAMS),
    pagesBeforeContinuing: input.options?.continueAsNewAfterPages ?? 0,
  };
  const lanes = { stop: false, draining: false, pagesThisRun: 0, error: undefined as unknown };

  const syncStream = async (stream: StreamRun) => {
    if (!stream.begun) {
      const begun = await control.batch(() => beginStreamSync({ ...run, stream: stream.name, mode }));
      Object.assign(stream, { begun: true, page: begun.page, done: begun.done });
    }
    let waits = 0;
    while (!stream.done) {
      await control.checkpoint();
      if (lanes.stop || lanes.draining) return;
      const outcome: PageOutcome = await control.batch(() =>
        readAndStorePage.executeWithOptions({ ...pageActivityOptions, summary: `${stream.name} page ${stream.page + 1}` }, [
          { ...run, stream: stream.name, page: stream.page + 1, mode },
        ]),
      );
      if (outcome.kind === 'wait') {
        waits += 1;
        if (outcome.reason === 'rate_limited') stream.stats.rateLimited += 1;
        else stream.stats.throttled += 1;
        if (outcome.reason === 'rate_limited') stream.stats.retries += 1;
        if (waits > MAX_CONSECUTIVE_WAITS)
          throw ApplicationFailure.nonRetryable(`${stream.name}: still ${outcome.reason} after ${MAX_CONSECUTIVE_WAITS} waits`, 'SyncWaitExhausted');
        await sleep(outcome.retryAfterMs);
        continue;
      }
      waits = 0;
      stream.page = outcome.page;
      stream.done = outcome.done;
      const stats = stream.stats;
      stats.pages += 1;
      stats.read += outcome.read;
      stats.inserted += outcome.inserted;
      stats.updated += outcome.updated;
      stats.unchanged += outcome.unchanged;
      stats.deleted += outcome.deleted;
      stats.retries += Math.max(0, outcome.attempt - 1);
      recount();
      lanes.pagesThisRun += 1;
      if (workflowInfo().continueAsNewSuggested || (limits.pagesBeforeContinuing > 0 && lanes.pagesThisRun >= limits.pagesBeforeContinuing))
        lanes.draining = true;
    }
  };

  const queue = state.streams.filter((stream) => !stream.done);
  const lane = async () => {
    for (;;) {
      if (lanes.stop || lanes.draining) return;
      const stream = queue.shift();
      if (!stream) return;
      try {
        await syncStream(stream);
      } catch (error) {
        // The first failure stops the other streams at their next page boundary.
        if (lanes.error === undefined) {
          lanes.error = error;
          if (!isCancellation(error)) failure.stream = stream.name;
        }
        lanes.stop = true;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limits.parallel, queue.length) }, lane));
  if (lanes.error !== undefined) throw lanes.error;

  if (state.streams.some((stream) => !stream.done)) {
    // Drained for continue-as-new: every page in flight has committed; the next run resumes the streams.
    await continueAsNew<typeof connectorSync>({ ...input, carried: { ...state, continuations: state.continuations + 1 } });
  }

  await control.checkpoint();
  progress.phase = 'finishing';
  const finished = await control.batch(() => finishSyncRun({ ...run, mode, workflowId: workflowInfo().workflowId }));
  // The ledger is authoritative (it also counts retries the workflow never saw, and the sweep).
  for (const stream of state.streams) {
    const { status: _status, ...stats } = finished.streams[stream.name] ?? { status: '', ...stream.stats };
    Object.assign(stream.stats, stats);
  }
  recount();
  return { connectorId, mode, streams: finished.streams, totals: finished.totals };
}

/** The innermost application failure says what went wrong (activity failures wrap it). */
function failureSummary(error: unknown): { code: string; message: string } {
  let current: unknown = error;
  while (!(current instanceof ApplicationFailure) && current instanceof Error && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure) return { code: current.type ?? 'SYNC_FAILED', message: current.message };
  if (error instanceof ActivityFailure) return { code: 'ACTIVITY_FAILED', message: error.message };
  return { code: 'SYNC_FAILED', message: error instanceof Error ? error.message : String(error) };
}
