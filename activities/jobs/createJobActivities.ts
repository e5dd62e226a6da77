import { emitEvent } from '../../platform/events/emitEvent';
import { uuidFromName } from '../../platform/ids';
import { type ActivityDeps } from '../deps';

export type JobStatus = 'queued' | 'running' | 'paused' | 'completed' | 'completed_with_errors' | 'failed' | 'cancelled';

const TERMINAL = new Set(['completed', 'completed_with_errors', 'failed', 'cancelled']);

/** Job-row bookkeeping for the shared job lifecycle (workflows/jobs/runJob.ts). Idempotent updates. */
export function createJobActivities({ db, metrics }: Pick<ActivityDeps, 'db'> & Partial<Pick<ActivityDeps, 'metrics'>>) {
  return {
    /** Records that a job is running (first time: its start) or paused. */
    async markJobStatus(input: { tenantId: string; jobId: string; status: 'running' | 'paused' }): Promise<void> {
      await db.withTenant(input.tenantId, (trx) =>
        trx('jobs')
          .where({ id: input.jobId })
          .whereIn('status', ['queued', 'running', 'paused'])
          .update({ status: input.status, started_at: trx.raw('coalesce(started_at, now())'), updated_at: trx.fn.now() }),
      );
    },

    /** Records how a job ended, with its result or error and its last progress. */
    async markJobFinished(input: {
      tenantId: string;
      jobId: string;
      kind: string;
      status: 'completed' | 'completed_with_errors' | 'failed' | 'cancelled';
      result?: Record<string, unknown>;
      error?: { code: string; message: string };
      progress?: Record<string, unknown>;
    }): Promise<void> {
      const finishedNow = await db.withTenant(input.tenantId, async (trx) => {
        const before = (await trx('jobs').where({ id: input.jobId }).forUpdate().first('status')) as { status: string } | undefined;
        await trx('jobs')
          .where({ id: input.jobId })
          .update({
            status: input.status,
            result: input.result === undefined ? null : JSON.stringify(input.result),
            error: input.error === undefined ? null : JSON.stringify(input.error),
            progress: input.progress === undefined ? null : JSON.stringify(input.progress),
            started_at: trx.raw('coalesce(started_at, now())'),
            finished_at: trx.raw('coalesce(finished_at, now())'),
            updated_at: trx.fn.now(),
          });
        // Cancelled jobs were asked to stop by the tenant; completed and failed ones are news
        // (`job.completed` says `completed_with_errors` in its status, with the error).
        if (input.status !== 'cancelled') {
          await emitEvent(trx, {
            id: uuidFromName(`job-event:${input.jobId}:${input.status}`),
            tenantId: input.tenantId,
            type: input.status === 'failed' ? 'job.failed' : 'job.completed',
            data: {
              jobId: input.jobId,
              kind: input.kind,
              status: input.status,
              ...(input.result ? { result: input.result } : {}),
              ...(input.error ? { error: input.error } : {}),
            },
          });
        }
        return before !== undefined && !TERMINAL.has(before.status);
      });
      // Counted once per job (a retried activity finds the job already finished).
      if (finishedNow && metrics) {
        metrics.jobsFinished.inc({ kind: input.kind, outcome: input.status });
        if (input.kind === 'sync') metrics.syncsFinished.inc({ outcome: input.status });
      }
    },
  };
}
