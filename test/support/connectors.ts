import { ApplicationFailure } from '@temporalio/common';
import { withConnector } from '../../activities/connectors/connectorRuntime';
import { type ConnectorRecord, type ReadPageResult } from '../../connectors/types';
import { createLogger } from '../../platform/logger';
import { type CreatedTenant, type TestHub } from './hub';

/** Registers a connector through the API and returns its id (throws with the answer otherwise). */
export async function registerConnector(
  hub: Pick<TestHub, 'request'>,
  tenant: CreatedTenant,
  body: { type: string; name?: string; config: unknown; credentials: unknown },
): Promise<string> {
  const response = await hub.request('POST', '/v1/connectors', {
    key: tenant.key,
    body: { name: `${body.type}-${Math.random().toString(36).slice(2, 8)}`, ...body },
  });
  if (response.status !== 201) throw new Error(`register connector: ${response.status} ${response.text}`);
  return response.body.connector.id as string;
}

const logger = createLogger({ name: 'test', level: process.env.HUB_TEST_LOG_LEVEL ?? 'silent' });

/** Runs `fn` with the connector instance exactly as activities get it (the connector runtime). */
export function runtimeOf(hub: TestHub) {
  return <T>(tenantId: string, connectorId: string, fn: Parameters<typeof withConnector<T>>[2]) =>
    withConnector({ config: hub.config, db: hub.db, logger, vault: hub.vault }, { tenantId, connectorId }, fn);
}

/** Reads a stream page by page through the runtime until done. */
export async function readStream(
  hub: TestHub,
  tenantId: string,
  connectorId: string,
  stream: string,
  options: { cursor?: string | null; pageSize?: number } = {},
) {
  const run = runtimeOf(hub);
  const records: ConnectorRecord[] = [];
  let cursor = options.cursor ?? null;
  let pages = 0;
  for (;;) {
    const page: ReadPageResult = await run(tenantId, connectorId, ({ instance }) => instance.readPage(stream, cursor, options.pageSize ?? 2000));
    pages += 1;
    records.push(...page.records);
    cursor = page.nextCursor;
    if (page.done) break;
    if (pages > 10_000) throw new Error('readStream: no end');
  }
  return { records, cursor, pages };
}

/** The ApplicationFailure an activity would throw, or fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/**
 * The records of an incremental read that differ from what earlier reads delivered. An
 * incremental read starts the connector's lookback window before its cursor, so it also delivers
 * records it already delivered, unchanged; the records store counts those as unchanged (content
 * hash), and so does this: the same id with the same data and deletion state.
 */
export function changedSince(records: readonly ConnectorRecord[], ...earlier: ReadonlyArray<readonly ConnectorRecord[]>): ConnectorRecord[] {
  const known = new Map<string, string>();
  for (const read of earlier) for (const record of read) known.set(record.externalId, JSON.stringify([record.deleted === true, record.data]));
  const latest = new Map<string, ConnectorRecord>();
  for (const record of records) latest.set(record.externalId, record);
  return [...latest.values()].filter((record) => known.get(record.externalId) !== JSON.stringify([record.deleted === true, record.data]));
}
