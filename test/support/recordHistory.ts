import { type Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import fs from 'node:fs';
import path from 'node:path';
import { closedExecutionStatus } from './closedExecution';

/**
 * Saves a finished workflow's history as a replay fixture in test/replay/histories/<name>.json
 * when HUB_RECORD_HISTORIES=1 (e.g. `HUB_RECORD_HISTORIES=1 npx jest test/integration/sync`).
 * Integration tests call it after the runs worth guarding (retries, signals, continue-as-new);
 * without the variable it does nothing, so normal runs never rewrite fixtures.
 */
export async function recordHistory(client: Client, workflowId: string, name: string, runId?: string): Promise<void> {
  if (process.env.HUB_RECORD_HISTORIES !== '1') return;
  // The API can report a job finished one workflow task before the execution closes.
  await closedExecutionStatus(client, workflowId, runId);
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const file = path.join(__dirname, '..', 'replay', 'histories', `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
}
