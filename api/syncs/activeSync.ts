import { WorkflowNotFoundError } from '@temporalio/client';
import { type ApiDeps } from '../deps';
import { type pauseSignal, type resumeSignal } from '../../workflows/contracts';

/** The connector's active sync run (queued or running), if any. */
export async function activeSyncRun(
  deps: Pick<ApiDeps, 'db'>,
  tenantId: string,
  connectorId: string,
): Promise<{ id: string; workflow_id: string } | undefined> {
  const [run] = await deps.db.readAsTenant<{ id: string; workflow_id: string }>(
    tenantId,
    deps.db.knex('sync_runs').select('id', 'workflow_id').where({ connector_id: connectorId }).whereIn('status', ['queued', 'running']),
  );
  return run;
}

/**
 * Sends `pause` or `resume` to the connector's running sync: it holds at its next page boundary
 * (the page in flight commits first) until resumed. Returns the job id it signalled, if any.
 */
export async function signalActiveSync(
  deps: Pick<ApiDeps, 'db' | 'temporal'>,
  tenantId: string,
  connectorId: string,
  signal: typeof pauseSignal | typeof resumeSignal,
): Promise<string | null> {
  const run = await activeSyncRun(deps, tenantId, connectorId);
  if (!run) return null;
  try {
    await deps.temporal.workflow.getHandle(run.workflow_id).signal(signal);
    return run.id;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
