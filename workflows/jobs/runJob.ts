import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  ContinueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { HubActivities } from '../../activities';
import { type JobProgress, type JobWorkflowInput, pauseSignal, progressQuery, resumeSignal } from '../contracts';
import { type ItemCounts, itemOutcome } from './itemOutcome';

const { markJobStatus, markJobFinished } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 20, maximumInterval: '30 seconds' },
});

/** What a job body uses to report progress and honour pause and cancellation. */
export interface JobControl {
  progress: JobProgress;
  /**
   * Runs one batch so that a cancellation request lets it finish: the batch's activity is never
   * interrupted halfway; the job stops at the next {@link checkpoint}.
   */
  batch<T>(work: () => Promise<T>): Promise<T>;
  /** Call between batches: waits while paused; throws CancelledFailure when cancellation was requested. */
  checkpoint(): Promise<void>;
}

/** How a job's result counts its items, for jobs whose items can fail one by one (imports, scans). */
export type ItemsOf<Result> = (result: Result) => ItemCounts;

/**
 * The lifecycle every job shares: marks the job running, answers the `progress` query, honours
 * pause/resume signals and Temporal cancellation (from `POST /v1/jobs/:id/cancel` or the Web UI) at
 * batch boundaries, and records the outcome on the job row: completed with its result, failed with
 * its error, or cancelled after `cleanup` removed partial output. With `items`, a result some of
 * whose items failed records `completed_with_errors` (every item: `failed`), the result kept and
 * the error summarising. The Temporal execution ends Completed (with errors too), Failed or Canceled
 * to match. A body may `continueAsNew` (the job row stays active and the next run calls runJob
 * again with the same job id).
 */
export async function runJob<Result extends Record<string, unknown>>(
  input: JobWorkflowInput<unknown>,
  body: (control: JobControl) => Promise<Result>,
  cleanup?: () => Promise<void>,
  items?: ItemsOf<Result>,
): Promise<Result> {
  const progress: JobProgress = { phase: 'starting', done: 0, total: null, state: 'running' };
  let paused = false;
  setHandler(progressQuery, () => progress);
  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });
  const root = CancellationScope.current();
  const status = (value: 'running' | 'paused') => markJobStatus({ tenantId: input.tenantId, jobId: input.jobId, status: value });

  const control: JobControl = {
    progress,
    batch: (work) => CancellationScope.nonCancellable(work),
    async checkpoint() {
      if (root.consideredCancelled) throw new CancelledFailure('the job was cancelled');
      if (!paused) return;
      progress.state = 'paused';
      await CancellationScope.nonCancellable(() => status('paused'));
      await condition(() => !paused); // a cancellation request interrupts the wait
      progress.state = 'running';
      await CancellationScope.nonCancellable(() => status('running'));
    },
  };

  await status('running');
  let result: Result;
  try {
    result = await body(control);
  } catch (error) {
    // A body that continues as new (long syncs) hands the job over to the next run unfinished.
    if (error instanceof ContinueAsNew) throw error;
    const cancelled = isCancellation(error);
    await CancellationScope.nonCancellable(async () => {
      if (cancelled && cleanup) await cleanup();
      await markJobFinished({
        tenantId: input.tenantId,
        jobId: input.jobId,
        kind: input.kind,
        status: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? { code: 'CANCELLED', message: 'the job was cancelled' } : describeFailure(error),
        progress,
      });
    });
    throw error;
  }
  const outcome = itemOutcome(items?.(result));
  progress.phase = 'completed';
  // The work is done: a cancellation arriving now cannot undo it, so the outcome is recorded whatever.
  await CancellationScope.nonCancellable(() =>
    markJobFinished({ tenantId: input.tenantId, jobId: input.jobId, kind: input.kind, status: outcome.status, result, error: outcome.error, progress }),
  );
  if (outcome.status === 'failed') {
    log.warn('job failed: every item failed', { jobId: input.jobId, kind: input.kind, reason: outcome.error!.message });
    throw ApplicationFailure.create({ type: outcome.error!.code, message: outcome.error!.message, nonRetryable: true });
  }
  if (outcome.error) log.warn('job completed with errors', { jobId: input.jobId, kind: input.kind, reason: outcome.error.message });
  return result;
}

/** The innermost application failure says what went wrong (activity failures wrap it). */
function describeFailure(error: unknown): { code: string; message: string } {
  let current: unknown = error;
  while (!(current instanceof ApplicationFailure) && current instanceof Error && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure) return { code: current.type ?? 'JOB_FAILED', message: current.message };
  return { code: 'JOB_FAILED', message: error instanceof Error ? error.message : String(error) };
}
