import knex, { type Knex } from 'knex';
import { gzipSync } from 'node:zlib';
import { type Benchmark, type BenchReport } from '../harness';
import { createBenchTenant, type HubProcesses, startHubProcesses } from '../support/hubProcesses';

const RECORDS = Number(process.env.BENCH_BACKUP_RECORDS ?? 300_000);
const USERS = 10_000;

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

/** Starts a job and polls it (every 50 ms) until it completes; returns seconds and the result. */
async function timedJob(hub: HubProcesses, key: string, kind: string, params: Record<string, unknown>) {
  const started = performance.now();
  const { job } = await api(hub, key, 'POST', '/v1/jobs', { kind, params });
  for (;;) {
    const { job: current } = await api(hub, key, 'GET', `/v1/jobs/${job.id}`);
    if (current.status === 'completed') return { seconds: (performance.now() - started) / 1000, result: current.result };
    if (current.status === 'failed' || current.status === 'cancelled') throw new Error(`${kind} ${current.status}: ${JSON.stringify(current.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The baseline dump: one query per table rendering rows as `to_jsonb`, gzip in the process. */
async function plainDump(owner: Knex, tenantId: string): Promise<{ seconds: number; lines: string[] }> {
  const started = performance.now();
  const lines: string[] = [];
  for (const table of ['users', 'connectors', 'records']) {
    const rows = (await owner.raw(`select to_jsonb(t)::text as row from ?? t where tenant_id = ?`, [table, tenantId])).rows as Array<{ row: string }>;
    const text = rows.map((row) => row.row).join('\n');
    gzipSync(text);
    if (table === 'records') for (const row of rows) lines.push(row.row);
  }
  return { seconds: (performance.now() - started) / 1000, lines };
}

/** The baseline load: the dumped records into another tenant by batched `jsonb_populate_recordset` inserts. */
async function plainLoad(owner: Knex, target: { tenantId: string; connectorId: string }, lines: string[]): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < lines.length; start += 2_000) {
    const rows = lines
      .slice(start, start + 2_000)
      .map((line) => ({ ...(JSON.parse(line) as Record<string, unknown>), tenant_id: target.tenantId, connector_id: target.connectorId }));
    await owner.raw(`insert into records select * from jsonb_populate_recordset(null::records, ?::jsonb)`, [JSON.stringify(rows)]);
  }
  return (performance.now() - started) / 1000;
}

/**
 * Backup and restore of a tenant with 300,000 records and 10,000 users, end to end through the API
 * and the worker (`backup` job: every tenant table to gzip NDJSON files with checksums; `restore`
 * into a new slug: ids remapped, one transaction, then verification), against a plain dump of the
 * same rows (one `to_jsonb` query per table, gzip) and a plain batched load of them.
 */
export const backupRestore: Benchmark = {
  name: 'backupRestore',
  description: `backup and restore (new slug) of a tenant with ${RECORDS.toLocaleString('en')} records and ${USERS.toLocaleString('en')} users vs a plain dump and a plain batched load`,
  async run(context) {
    const hub = await startHubProcesses(context, { HUB_ALLOW_PRIVATE_NETWORK: 'true', HUB_DAILY_BACKUPS: 'false' });
    const owner = knex({ client: 'pg', connection: String(context.env.DATABASE_URL), pool: { min: 0, max: 4 } });
    try {
      const slug = `bench-backup-${Date.now().toString(36)}`;
      const { tenantId, key } = await createBenchTenant(hub, slug);
      const connector = await api(hub, key, 'POST', '/v1/connectors', {
        type: 'scan',
        name: 'bench',
        config: { endpoint: 'http://127.0.0.1:9/' },
        credentials: { apiKey: 'bench' },
      });
      const connectorId = connector.connector.id as string;
      context.log(`backupRestore: seeding ${RECORDS} records and ${USERS} users`);
      await owner.raw(
        `insert into users (id, tenant_id, email, name, role, status) select gen_random_uuid(), ?, 'u' || n || '@bench.test', 'User ' || n, 'member', 'active' from generate_series(1, ?) n`,
        [tenantId, USERS],
      );
      await owner.raw(
        `insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, source_updated_at, change_seq)
         select ?, ?, 'scans', 'r-' || n, jsonb_build_object('n', n, 'name', 'Record ' || n, 'amount', n * 1.5, 'tags', jsonb_build_array('a', 'b', n % 10), 'note', repeat('x', 80)),
                md5(n::text), now() - n * interval '1 second', nextval('records_change_seq')
           from generate_series(1, ?) n`,
        [tenantId, connectorId, RECORDS],
      );

      context.log('backupRestore: plain dump');
      const dump = await plainDump(owner, tenantId);
      context.log('backupRestore: backup job');
      const backup = await timedJob(hub, key, 'backup', {});
      if (backup.result.rowCounts.records !== RECORDS) throw new Error(`the backup holds ${backup.result.rowCounts.records} records`);
      context.log('backupRestore: restore job into a new slug');
      const restore = await timedJob(hub, key, 'restore', { backupId: backup.result.backupId, targetTenantSlug: `${slug}-copy` });
      const restored = Number((await owner('records').where({ tenant_id: restore.result.targetTenantId }).count({ n: '*' }).first())!.n);
      if (restored !== RECORDS) throw new Error(`the restore holds ${restored} records`);

      context.log('backupRestore: plain load');
      const scratch = await createBenchTenant(hub, `${slug}-plain`);
      const scratchConnector = await api(hub, scratch.key, 'POST', '/v1/connectors', {
        type: 'scan',
        name: 'bench',
        config: { endpoint: 'http://127.0.0.1:9/' },
        credentials: { apiKey: 'bench' },
      });
      const load = await plainLoad(owner, { tenantId: scratch.tenantId, connectorId: scratchConnector.connector.id as string }, dump.lines);

      const rows = RECORDS + USERS;
      const report: BenchReport = {
        measurements: [
          { label: 'plain dump (to_jsonb per table, gzip)', metrics: { rows, seconds: dump.seconds, 'rows/s': rows / dump.seconds } },
          { label: 'backup job end to end', metrics: { rows, seconds: backup.seconds, 'rows/s': rows / backup.seconds } },
          { label: 'plain batched load of the records', metrics: { rows: RECORDS, seconds: load, 'rows/s': RECORDS / load } },
          { label: 'restore job into a new slug end to end (incl. verify)', metrics: { rows, seconds: restore.seconds, 'rows/s': rows / restore.seconds } },
        ],
        ratios: [
          { name: 'backup / plain dump (time)', value: backup.seconds / dump.seconds },
          { name: 'restore / plain load (time)', value: restore.seconds / load },
        ],
        notes: [
          'the backup also writes checksummed files of every other tenant table and a manifest; the restore remaps ids, re-encrypts the connector secret, runs in one transaction and re-reads everything to verify',
          'API, worker, Postgres and Temporal run in their own processes on this machine',
        ],
      };
      return report;
    } finally {
      await owner.destroy();
      await hub.stop();
    }
  },
};
