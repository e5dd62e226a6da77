import knex from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Benchmark } from '../harness';
import { startBenchJob, waitForJob } from '../support/jobs';
import { createBenchTenant, startHubProcesses } from '../support/hubProcesses';

const ROWS = 1_000_000;

/**
 * CSV export throughput: 1,000,000 sync records exported by the real API and worker processes
 * (keyset chunks of 50,000 read under RLS, csv-stringify with formula escaping, parts joined into
 * one catalogued file). Target < 15 s. Baseline: Postgres's own `COPY (same query) TO` a file on
 * the same machine (server-side; the bench stack's owner is a superuser).
 */
export const exportCsv: Benchmark = {
  name: 'exportCsv',
  description: `CSV export of ${ROWS.toLocaleString('en')} records (target < 15 s) vs plain COPY TO of the same rows`,
  async run(context) {
    const owner = knex({ client: 'pg', connection: context.env.DATABASE_URL, pool: { min: 0, max: 2 } });
    const hub = await startHubProcesses(context, { HUB_ALLOW_PRIVATE_NETWORK: 'true' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-export-'));
    fs.chmodSync(dir, 0o777);
    try {
      const tenant = await createBenchTenant(hub, `export-${Date.now().toString(36)}`);
      const connector = await fetch(`${hub.apiUrl}/v1/connectors`, {
        method: 'POST',
        headers: { 'X-API-Key': tenant.key, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'scan', name: 'bench-scan', config: { endpoint: 'http://127.0.0.1:9' }, credentials: { apiKey: 'bench' } }),
      });
      if (connector.status !== 201) throw new Error(`connector: ${connector.status} ${await connector.text()}`);
      const connectorId = ((await connector.json()) as { connector: { id: string } }).connector.id;
      context.log(`exportCsv: seeding ${ROWS} records`);
      await owner.raw(
        `insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, source_updated_at, change_seq)
         select ?, ?, 'medications', lpad(n::text, 8, '0'), jsonb_build_object('name', 'Medication ' || n, 'ndc', '0000-' || n, 'qty', n % 90), md5(n::text), now(), n
           from generate_series(1, ?) n`,
        [tenant.tenantId, connectorId, ROWS],
      );
      await owner.raw('analyze records');

      context.log('exportCsv: export job');
      const started = performance.now();
      const jobId = await startBenchJob(hub.apiUrl, tenant.key, 'export', { dataset: 'records', format: 'csv' });
      const job = await waitForJob(hub.apiUrl, tenant.key, jobId);
      const seconds = (performance.now() - started) / 1000;
      if (job.status !== 'completed' || job.result?.rows !== ROWS) throw new Error(`export ended ${job.status}: ${JSON.stringify(job.result ?? job.error)}`);
      const size = (job.result.file as { size: number }).size;

      context.log('exportCsv: baseline (COPY TO)');
      const target = path.join(dir, 'baseline.csv');
      const baselineStarted = performance.now();
      await owner.raw(
        `copy (select connector_id, stream, external_id, data, data_hash, source_updated_at, deleted_at, first_seen_at, synced_at
                 from records where tenant_id = '${tenant.tenantId}' order by connector_id, stream, external_id) to '${target}' with (format csv, header)`,
      );
      const baselineSeconds = (performance.now() - baselineStarted) / 1000;
      const baselineSize = fs.statSync(target).size;

      return {
        measurements: [
          { label: 'COPY TO file (baseline)', metrics: { rows: ROWS, seconds: baselineSeconds, 'rows/s': ROWS / baselineSeconds, MB: baselineSize / 1e6 } },
          { label: 'export job (csv)', metrics: { rows: ROWS, seconds, 'rows/s': ROWS / seconds, MB: size / 1e6 } },
        ],
        ratios: [
          { name: 'export seconds for 1M records', value: seconds, target: '< 15', met: seconds < 15 },
          { name: 'export job / COPY TO (rows per second)', value: ROWS / seconds / (ROWS / baselineSeconds) },
        ],
        notes: [
          'the job time includes starting the workflow, 20 chunk activities, joining the parts and cataloguing the file; COPY writes server-side with no RLS, escaping or file store',
        ],
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await hub.stop();
      await owner.destroy();
    }
  },
};
