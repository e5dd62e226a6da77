import { type Client } from '@temporalio/client';
import { eventually } from './eventually';

/**
 * Waits for a workflow execution to close and answers its final status name (`COMPLETED`,
 * `CANCELLED`, `CONTINUED_AS_NEW`, …). A job row reaches its final status in the job's last
 * activity, one workflow task before Temporal closes the execution, so a test that has just seen
 * the job finish through the API must wait for the close rather than describe once.
 */
export async function closedExecutionStatus(client: Client, workflowId: string, runId?: string, timeoutMs = 30_000): Promise<string> {
  return eventually(
    async () => {
      const status = (await client.workflow.getHandle(workflowId, runId).describe()).status.name;
      return status === 'RUNNING' ? undefined : status;
    },
    timeoutMs,
    `workflow ${workflowId} to close`,
  );
}
