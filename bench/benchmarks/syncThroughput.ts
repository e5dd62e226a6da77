import knex, { type Knex } from 'knex';
import { OBJECT_FIELDS } from '../../test/peers/salesforce/salesforceData';
import { startSalesforcePeer, type RunningSalesforcePeer } from '../../test/peers/salesforce/salesforcePeer';
import { type Benchmark, type BenchReport } from '../harness';
import { createBenchTenant, type HubProcesses, startHubProcesses } from '../support/hubProcesses';

const COUNTS = { Account: 50_000, Contact: 25_000, Opportunity: 25_000 } as const;
const TOTAL = COUNTS.Account + COUNTS.Contact + COUNTS.Opportunity;
const PAGE = 2_000;
type Stream = keyof typeof COUNTS;
const STREAMS = Object.keys(COUNTS) as Stream[];

async function api(hub: HubProcesses, key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${hub.apiUrl}${path}`, {
    method,
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return JSON.parse(text) as any;
}

async function salesforceConnector(hub: HubProcesses, key: string, peer: RunningSalesforcePeer, name: string): Promise<string> {
  const created = await api(hub, key, 'POST', '/v1/connectors', {
    type: 'salesforce',
    name,
    config: { instanceUrl: peer.url, loginUrl: peer.url },
    credentials: { accessToken: peer.issueAccessToken() },
  });
  return created.connector.id as string;
}

/** Starts a sync through the API and polls the job (every 50 ms) until it completes; returns seconds and the result. */
async function timedSync(hub: HubProcesses, key: string, connectorId: string) {
  const started = performance.now();
  const { job } = await api(hub, key, 'POST', `/v1/connectors/${connectorId}/syncs`, {});
  for (;;) {
    const { job: current } = await api(hub, key, 'GET', `/v1/jobs/${job.id}`);
    if (current.status === 'completed') return { seconds: (performance.now() - started) / 1000, result: current.result as { totals: Record<string, number> } };
    if (current.status === 'failed' || current.status === 'cancelled') throw new Error(`sync ${current.status}: ${JSON.stringify(current.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The peer's records as the connector hands them over (every described field). */
function sourceRecords(peer: RunningSalesforcePeer, stream: Stream) {
  const fields = OBJECT_FIELDS[stream]!.map((field) => field.name);
  return [...peer.org.table(stream).values()].map((record) => ({
    external_id: record.Id,
    data: Object.fromEntries(fields.map((field) => [field, record[field] ?? null])),
    source_updated_at: new Date(record.SystemModstamp.replace('+0000', 'Z')).toISOString(),
  }));
}

/**
 * The ceiling: the same records written into the same `records` table by plain batched
 * `INSERT … ON CONFLICT` statements (same columns, md5 hash and change sequence), batches of 2,000,
 * straight from memory: no HTTP, no Temporal, no connector, no RLS session.
 */
async function plainInsert(
  owner: Knex,
  target: { tenantId: string; connectorId: string },
  batches: Array<{ stream: Stream; rows: ReturnType<typeof sourceRecords> }>,
  writers: number,
): Promise<number> {
  const queue = [...batches];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        await owner.raw(
          `insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, source_updated_at, first_seen_at, synced_at, change_seq)
           select ?::uuid, ?::uuid, ?::text, x.external_id, x.data, md5(x.data::text), x.source_updated_at, now(), now(), nextval('records_change_seq')
             from jsonb_to_recordset(?::jsonb) as x(external_id text, data jsonb, source_updated_at timestamptz)
           on conflict (tenant_id, connector_id, stream, external_id) do nothing`,
          [target.tenantId, target.connectorId, batch.stream, JSON.stringify(batch.rows)],
        );
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

/**
 * Sync throughput: 100,000 Salesforce records (Account 50,000, Contact 25,000, Opportunity 25,000)
 * synced end to end — `POST /v1/connectors/:id/syncs` on the API process, the connectorSync workflow
 * on the worker process, pages of 2,000 read from the peer (jsforce over the guarded network) and
 * upserted with their cursors, three streams at once — against the ceiling of plain batched
 * INSERT … ON CONFLICT of the same records into the same table (one writer, and one per stream).
 */
export const syncThroughput: Benchmark = {
  name: 'syncThroughput',
  description: `${TOTAL.toLocaleString('en')}-record Salesforce sync end to end (API + Temporal worker + peer, pages of ${PAGE}) vs plain batched INSERT … ON CONFLICT of the same records`,
  async run(context) {
    const peer = await startSalesforcePeer({ port: 0, records: COUNTS });
    const warmupPeer = await startSalesforcePeer({ port: 0, records: { Account: 4_000, Contact: 0, Opportunity: 0 } });
    const hub = await startHubProcesses(context, { HUB_ALLOW_PRIVATE_NETWORK: 'true', SYNC_PAGE_SIZE: String(PAGE), SYNC_MAX_PARALLEL_STREAMS: '3' });
    const owner = knex({ client: 'pg', connection: String(context.env.DATABASE_URL), pool: { min: 0, max: 4 } });
    try {
      const slug = `bench-sync-${Date.now().toString(36)}`;
      const { tenantId, key } = await createBenchTenant(hub, slug);

      context.log('syncThroughput: warm-up sync (4,000 records, not measured)');
      await timedSync(hub, key, await salesforceConnector(hub, key, warmupPeer, 'warm-up'));

      context.log(`syncThroughput: end-to-end sync of ${TOTAL} records`);
      const connectorId = await salesforceConnector(hub, key, peer, 'bench org');
      const endToEnd = await timedSync(hub, key, connectorId);
      const stored = Number((await owner('records').where({ connector_id: connectorId }).count({ n: '*' }).first())!.n);
      if (stored !== TOTAL || endToEnd.result.totals.inserted !== TOTAL)
        throw new Error(`the sync stored ${stored} rows (inserted ${endToEnd.result.totals.inserted}) of ${TOTAL}`);

      const batches = STREAMS.flatMap((stream) => {
        const rows = sourceRecords(peer, stream);
        return Array.from({ length: Math.ceil(rows.length / PAGE) }, (_, index) => ({ stream, rows: rows.slice(index * PAGE, (index + 1) * PAGE) }));
      });
      context.log('syncThroughput: ceiling, one writer');
      const single = await plainInsert(owner, { tenantId, connectorId: await salesforceConnector(hub, key, peer, 'ceiling 1') }, batches, 1);
      context.log('syncThroughput: ceiling, three writers');
      const parallel = await plainInsert(owner, { tenantId, connectorId: await salesforceConnector(hub, key, peer, 'ceiling 3') }, batches, 3);

      const rate = TOTAL / endToEnd.seconds;
      const ceiling = Math.max(TOTAL / single, TOTAL / parallel);
      const report: BenchReport = {
        measurements: [
          { label: 'plain INSERT … ON CONFLICT, 1 writer', metrics: { records: TOTAL, 'records/s': TOTAL / single, seconds: single } },
          { label: 'plain INSERT … ON CONFLICT, 3 writers', metrics: { records: TOTAL, 'records/s': TOTAL / parallel, seconds: parallel } },
          {
            label: 'sync end to end (API → Temporal → peer → Postgres)',
            metrics: { records: TOTAL, 'records/s': rate, seconds: endToEnd.seconds, pages: Number(endToEnd.result.totals.pages) },
          },
        ],
        ratios: [
          { name: 'end-to-end records/s', value: rate, target: '≥ 10,000', met: rate >= 10_000 },
          { name: 'end to end / ceiling (best plain insert)', value: rate / ceiling, target: '≥ 0.40', met: rate / ceiling >= 0.4 },
        ],
        notes: [
          'the peer runs in the bench process; API, worker, Postgres and Temporal in their own processes, all on this machine',
          'end to end is measured from POST /v1/connectors/:id/syncs to GET /v1/jobs/:id answering completed (polled every 50 ms)',
        ],
      };
      return report;
    } finally {
      await owner.destroy();
      await hub.stop();
      await warmupPeer.stop();
      await peer.stop();
    }
  },
};
