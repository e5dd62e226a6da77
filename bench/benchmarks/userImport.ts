import knex from 'knex';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type Benchmark } from '../harness';
import { startBenchJob, waitForJob } from '../support/jobs';
import { createBenchTenant, startHubProcesses } from '../support/hubProcesses';

const ROWS = 1_000_000;
/** Rows per baseline INSERT: the import's statement size (ten 1,000-row batches per statement). */
const BASELINE_BATCH = 10_000;

function csvLine(prefix: string, n: number): string {
  return `${prefix}${n}@example.test,User ${n},${n % 10 === 0 ? 'manager' : 'member'}\n`;
}

/**
 * user_import throughput: a 1,000,000-row users CSV uploaded and imported by the real API and
 * worker processes (validate → stage → 1,000 upsert batches with markers and audit rows). Target
 * < 60 s (the seed's "1M+ records per hour" with a wide margin). Baseline: the same rows inserted
 * by a plain loop of 10,000-row INSERTs (knex), no validation, no idempotency.
 */
export const userImport: Benchmark = {
  name: 'userImport',
  description: `user_import of a ${ROWS.toLocaleString('en')}-row CSV (target < 60 s) vs a plain batched insert of the same rows`,
  async run(context) {
    const owner = knex({ client: 'pg', connection: context.env.DATABASE_URL, pool: { min: 0, max: 2 } });
    const hub = await startHubProcesses(context);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
    try {
      const suffix = Date.now().toString(36);
      const tenant = await createBenchTenant(hub, `import-${suffix}`);
      const baselineTenant = await createBenchTenant(hub, `import-base-${suffix}`);
      const file = path.join(dir, 'users.csv');
      const out = fs.createWriteStream(file);
      out.write('email,name,role\n');
      for (let n = 1; n <= ROWS; n += 1) if (!out.write(csvLine('bench', n))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      await new Promise<void>((resolve) => out.end(() => resolve()));
      const bytes = fs.statSync(file).size;

      context.log(`userImport: uploading ${(bytes / 1e6).toFixed(1)} MB`);
      const uploadStarted = performance.now();
      const uploaded = await fetch(`${hub.apiUrl}/v1/uploads?name=users.csv`, {
        method: 'POST',
        headers: { 'X-API-Key': tenant.key, 'Content-Type': 'text/csv', 'Content-Length': String(bytes) },
        body: Readable.toWeb(fs.createReadStream(file)) as unknown as RequestInit['body'],
        duplex: 'half',
      } as RequestInit & { duplex: 'half' });
      if (uploaded.status !== 201) throw new Error(`upload: ${uploaded.status} ${await uploaded.text()}`);
      const uploadSeconds = (performance.now() - uploadStarted) / 1000;
      const { upload } = (await uploaded.json()) as { upload: { id: string } };

      context.log('userImport: importing');
      const started = performance.now();
      const jobId = await startBenchJob(hub.apiUrl, tenant.key, 'user_import', { uploadId: upload.id });
      const job = await waitForJob(hub.apiUrl, tenant.key, jobId);
      const seconds = (performance.now() - started) / 1000;
      if (job.status !== 'completed' || job.result?.imported !== ROWS)
        throw new Error(`import ended ${job.status}: ${JSON.stringify(job.result ?? job.error)}`);

      context.log('userImport: baseline (plain batched insert)');
      const baselineStarted = performance.now();
      let batch: Array<Record<string, unknown>> = [];
      for (let n = 1; n <= ROWS; n += 1) {
        batch.push({
          id: randomUUID(),
          tenant_id: baselineTenant.tenantId,
          email: `base${n}@example.test`,
          name: `User ${n}`,
          role: n % 10 === 0 ? 'manager' : 'member',
          status: 'invited',
        });
        if (batch.length === BASELINE_BATCH) {
          await owner('users').insert(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await owner('users').insert(batch);
      const baselineSeconds = (performance.now() - baselineStarted) / 1000;

      return {
        measurements: [
          { label: 'plain batched insert (baseline)', metrics: { rows: ROWS, seconds: baselineSeconds, 'rows/s': ROWS / baselineSeconds } },
          { label: 'user_import job (validate + stage + apply)', metrics: { rows: ROWS, seconds, 'rows/s': ROWS / seconds } },
        ],
        ratios: [
          { name: 'user_import seconds for 1M rows', value: seconds, target: '< 60', met: seconds < 60 },
          { name: 'user_import / plain batched insert (rows per second)', value: ROWS / seconds / (ROWS / baselineSeconds) },
        ],
        notes: [
          `upload of ${(bytes / 1e6).toFixed(1)} MB took ${uploadSeconds.toFixed(1)} s (not counted)`,
          'the baseline validates nothing, skips duplicate checks, markers and audit rows; both write 10,000 rows per statement',
        ],
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await hub.stop();
      await owner.destroy();
    }
  },
};
