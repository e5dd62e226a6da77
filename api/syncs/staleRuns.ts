import { WorkflowNotFoundError } from '@temporalio/client';
import { type ApiDeps } from '../deps';

/** Runs younger than this are never called stale: their workflow may be starting right now. */
const GRACE_SECONDS = 30;

/**
 * Closes the tenant's sync runs whose workflow is gone without recording an outcome (terminated or
 * timed out in Temporal, or never started): such a run would otherwise hold its connector ("already
 * running") and one of the tenant's sync slots forever. The run and its job are marked failed with
 * `WORKFLOW_<STATUS>`. Returns how many runs were closed.
 */
export async function closeStaleSyncRuns(deps: Pick<ApiDeps, 'db' | 'temporal'>, tenantId: string): Promise<number> {
  const active = await deps.db.readAsTenant<{ id: string; workflow_id: string }>(
    tenantId,
    deps.db
      .knex('sync_runs')
      .select('id', 'workflow_id')
      .whereIn('status', ['queued', 'running'])
      .whereRaw(`created_at < now() - make_interval(secs => ?)`, [GRACE_SECONDS]),
  );
  const verdicts = await Promise.all(
    active.map(async (run) => {
      try {
        const description = await deps.temporal.workflow.getHandle(run.workflow_id).describe();
        return { run, status: description.status.name };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { run, status: 'NOT_FOUND' };
        return { run, status: 'UNKNOWN' };
      }
    }),
  );
  const stale = verdicts.filter(({ status }) => !['RUNNING', 'UNKNOWN', 'CONTINUED_AS_NEW'].includes(status));
  if (stale.length === 0) return 0;
  await deps.db.withTenant(tenantId, async (trx) => {
    for (const { run, status } of stale) {
      const error = JSON.stringify({ code: `WORKFLOW_${status}`, message: `the sync's workflow is ${status.toLowerCase().replace('_', ' ')}` });
      const closed = await trx('sync_runs')
        .where({ id: run.id })
        .whereIn('status', ['queued', 'running'])
        .update({ status: 'failed', error, finished_at: trx.fn.now(), updated_at: trx.fn.now() });
      if (closed === 0) continue;
      await trx('sync_run_streams')
        .where({ run_id: run.id })
        .whereNotIn('status', ['completed'])
        .update({ status: 'cancelled', finished_at: trx.raw('coalesce(finished_at, now())'), updated_at: trx.fn.now() });
      await trx('jobs')
        .where({ id: run.id })
        .whereIn('status', ['queued', 'running', 'paused'])
        .update({ status: 'failed', error, finished_at: trx.fn.now(), updated_at: trx.fn.now() });
    }
  });
  return stale.length;
}
