import { type Client } from '@temporalio/client';
import { type Payload, type PayloadCodec } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { type temporal } from '@temporalio/proto';
import fs from 'node:fs';
import path from 'node:path';
import { isEncrypted } from '../../platform/temporal/payloadEncryption';
import { closedExecutionStatus } from './closedExecution';

/**
 * Replaces, in place, every payload of a history that the hub's codec encrypted with its plaintext
 * (what `temporal workflow show --codec-endpoint …` prints).
 */
export async function decodeHistoryPayloads(history: temporal.api.history.v1.IHistory, codecs: PayloadCodec[]): Promise<void> {
  const visit = async (node: unknown): Promise<void> => {
    if (typeof node !== 'object' || node === null || ArrayBuffer.isView(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && isEncrypted(value as Payload)) {
        let decoded = [value as Payload];
        for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
        (node as Record<string, unknown>)[key] = decoded[0];
      } else {
        await visit(value);
      }
    }
  };
  await visit(history);
}

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
  // Fixtures are stored decrypted: the test stack's master key is thrown away after the run.
  await decodeHistoryPayloads(history, client.options.loadedDataConverter.payloadCodecs);
  const file = path.join(__dirname, '..', 'replay', 'histories', `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
}
