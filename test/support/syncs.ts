import { type CreatedTenant, type TestHub } from './hub';

export { finishedJob, jobWhen } from './jobs';

/** A record change as GET /v1/records returns it. */
export interface RecordChange {
  externalId: string;
  stream: string;
  connectorId: string;
  data: Record<string, unknown>;
  sourceUpdatedAt: string | null;
  deletedAt: string | null;
  syncedAt: string;
  firstSeenAt: string;
}

/** Starts a sync through the API; fails the test unless it answers 202. Returns the job. */
export async function startSync(
  hub: TestHub,
  tenant: CreatedTenant,
  connectorId: string,
  body: { streams?: string[]; mode?: 'incremental' | 'full_refresh' } = {},
) {
  const response = await hub.request('POST', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key, body });
  if (response.status !== 202) throw new Error(`start sync: ${response.status} ${response.text}`);
  return response.body.job as { id: string; workflowId: string; temporalUiUrl: string; status: string; kind: string };
}

/**
 * Reads the change feed from `cursor` to its current end; returns the changes and the cursor to
 * continue from. With `atLeast`, keeps reading (from where it got to) until that many changes have
 * come: the feed holds back commits while any older transaction is still running — in a parallel
 * test run, often another test's — so a change can appear a moment after the sync that made it.
 */
export async function readChanges(
  hub: TestHub,
  tenant: CreatedTenant,
  options: { cursor?: string; connectorId?: string; stream?: string; limit?: number; atLeast?: number; timeoutMs?: number } = {},
) {
  const changes: RecordChange[] = [];
  let cursor = options.cursor;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (let pages = 0; pages < 100_000; pages += 1) {
    const query = new URLSearchParams({ limit: String(options.limit ?? 1000) });
    if (cursor) query.set('cursor', cursor);
    if (options.connectorId) query.set('connectorId', options.connectorId);
    if (options.stream) query.set('stream', options.stream);
    const response = await hub.request('GET', `/v1/records?${query}`, { key: tenant.key });
    if (response.status !== 200) throw new Error(`records: ${response.status} ${response.text}`);
    changes.push(...(response.body.data as RecordChange[]));
    cursor = response.body.nextCursor as string;
    if (response.body.hasMore) continue;
    if (changes.length >= (options.atLeast ?? 0) || Date.now() > deadline) return { changes, cursor };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('readChanges: no end');
}
