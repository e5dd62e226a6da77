import knex, { type Knex } from 'knex';
import { appDatabaseUrl } from '../../platform/db';
import { monthlyUsage } from '../../platform/metering/recordUsage';
import { startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { registerSalesforceConnector } from '../support/connectorFactories';
import { startDedicatedPostgres, type DedicatedPostgres } from '../support/dedicatedServices';
import { eventually } from '../support/eventually';
import { type CreatedTenant, type TestResponse } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { usersCsv } from '../support/importFiles';
import { finishedJob, startSync } from '../support/syncs';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

const ACCOUNTS = 10_000;
const PAGE_SIZE = 500;
const IMPORT_ROWS = 60_000;
const IMPORT_BATCH = 1_000;
const QUERY = /GET \/services\/data\/v62\.0\/query/;

/**
 * Postgres restarts while a sync, a user import and API traffic run. The hub (the API in this
 * process, the worker as a child process) is bound to a cluster of this file's own, which the
 * test stops and starts again; the run's shared cluster keeps serving every other file. While it
 * is down the API answers 503 DATABASE_UNAVAILABLE with Retry-After, never 500; afterwards it
 * recovers by itself, and the sync and the import end with exactly the right rows.
 */
describe('a Postgres restart mid-run', () => {
  // Started before the hub and destroyed after it (hooks run in declaration order): the hub's shutdown still reaches it.
  let postgres: DedicatedPostgres;
  beforeAll(async () => {
    postgres = await startDedicatedPostgres();
  });
  const peer = useStarted(() => startSalesforcePeer({ port: 0, records: { Account: ACCOUNTS, Contact: 0, Opportunity: 0 } }), 'the Salesforce peer');
  const databaseEnv = () => ({
    DATABASE_URL: postgres.ownerUrl,
    DATABASE_APP_PASSWORD: postgres.appPassword,
    DATABASE_APP_URL: appDatabaseUrl({ DATABASE_URL: postgres.ownerUrl, DATABASE_APP_PASSWORD: postgres.appPassword }),
  });
  const { hub } = useHub({ worker: false, env: () => ({ ...databaseEnv(), SYNC_PAGE_SIZE: String(PAGE_SIZE) }) });
  let owner: Knex;
  let worker: WorkerProcess;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    const quiet = () => undefined;
    // Its idle connections die with the restart: knex would print that to the console.
    owner = knex({ client: 'pg', connection: postgres.ownerUrl, pool: { min: 0, max: 2 }, log: { warn: quiet, error: quiet, deprecate: quiet, debug: quiet } });
    worker = await startWorkerProcess(hub, { ...databaseEnv(), SYNC_PAGE_SIZE: String(PAGE_SIZE) });
    tenant = await hub.createTenant();
  });
  afterAll(async () => {
    await worker?.stop();
    await owner?.destroy();
    await postgres?.destroy();
  });

  const pagesCommitted = async (connectorId: string) =>
    Number(
      (await owner('sync_run_streams as s').join('sync_runs as r', 'r.id', 's.run_id').where('r.connector_id', connectorId).sum({ pages: 's.pages' }).first())
        ?.pages ?? 0,
    );
  const importBatches = async (jobId: string) => Number((await owner('user_import_batches').where({ job_id: jobId }).count({ n: '*' }))[0]!.n);

  it('answers 503 DATABASE_UNAVAILABLE while it is down, recovers, and the sync and import lose and duplicate nothing', async () => {
    const connectorId = await registerSalesforceConnector(hub, tenant, peer);
    // Slow pages: the sync is still reading when the database goes away.
    peer.faults.add({ fault: { kind: 'latency', delayMs: 300 }, match: QUERY, times: Infinity });
    const sync = await startSync(hub, tenant, connectorId, { streams: ['Account'] });
    await eventually(async () => ((await pagesCommitted(connectorId)) >= 2 ? true : undefined), 60_000, 'two committed sync pages');

    const uploaded = await hub.request('POST', '/v1/uploads?name=restart.csv', {
      key: tenant.key,
      rawBody: usersCsv(IMPORT_ROWS, { prefix: 'restart' }),
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(uploaded.status).toBe(201);
    const started = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'user_import', params: { uploadId: uploaded.body.upload.id } } });
    expect(started.status).toBe(202);
    const importId = started.body.job.id as string;
    await eventually(async () => ((await importBatches(importId)) >= 1 ? true : undefined), 60_000, 'a first applied import batch');

    // API traffic throughout: reads and writes, every answer kept.
    const answers: Array<{ method: string; status: number; code?: string; retryAfter: string | null }> = [];
    const acknowledged: string[] = [];
    let traffic = true;
    const keep = (method: string, response: TestResponse) =>
      answers.push({ method, status: response.status, code: response.body?.error?.code, retryAfter: response.headers.get('retry-after') });
    const trafficDone = (async () => {
      for (let n = 1; traffic; n += 1) {
        keep('GET', await hub.request('GET', '/v1/users?limit=5', { key: tenant.key }));
        const email = `traffic${n}@example.test`;
        const created = await hub.request('POST', '/v1/users', { key: tenant.key, body: { email, name: `Traffic ${n}`, role: 'viewer' } });
        keep('POST', created);
        if (created.status === 201) acknowledged.push(email);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    try {
      await eventually(() => (answers.some((answer) => answer.status === 201) ? true : undefined), 30_000, 'API traffic before the restart');
      // Both jobs are mid-run when the database stops.
      expect(await pagesCommitted(connectorId)).toBeLessThan(ACCOUNTS / PAGE_SIZE);
      expect(await importBatches(importId)).toBeLessThan(IMPORT_ROWS / IMPORT_BATCH);
      await postgres.stop();
      const atStop = answers.length;
      await eventually(
        () => (answers.slice(atStop).filter((answer) => answer.status >= 300).length >= 4 ? true : undefined),
        60_000,
        'the API to refuse requests while the database is down',
      );
      await postgres.start();
      const okAfter = answers.length;
      await eventually(
        () => (answers.slice(okAfter).filter((answer) => answer.status === 200 || answer.status === 201).length >= 4 ? true : undefined),
        60_000,
        'the API to recover after the restart',
      );
    } finally {
      traffic = false;
      await trafficDone;
    }

    // Never a 500: an answer either worked or said the database is unavailable (with Retry-After).
    const failures = answers.filter((answer) => answer.status >= 300);
    expect(failures.length).toBeGreaterThanOrEqual(4);
    for (const failure of failures)
      expect(failure).toEqual({ method: failure.method, status: 503, code: 'DATABASE_UNAVAILABLE', retryAfter: expect.stringMatching(/^[1-9]\d*$/) });
    const stored = new Set((await owner('users').where({ tenant_id: tenant.id }).whereLike('email', 'traffic%').pluck('email')) as string[]);
    expect(acknowledged.filter((email) => !stored.has(email))).toEqual([]);

    // The sync: every Account exactly once, metered once.
    const syncJob = await finishedJob(hub, tenant, sync.id, 240_000);
    expect(syncJob.status).toBe('completed');
    const records = (await owner('records').where({ connector_id: connectorId }).pluck('external_id')) as string[];
    expect(records).toHaveLength(ACCOUNTS);
    expect(new Set(records).size).toBe(ACCOUNTS);
    expect(syncJob.result.totals).toMatchObject({ read: ACCOUNTS, inserted: ACCOUNTS, updated: 0, deleted: 0 });
    expect(await monthlyUsage(hub.db, tenant.id, 'sync_records')).toBe(ACCOUNTS);

    // The import: every row exactly once, every batch applied once.
    const importJob = await finishedJob(hub, tenant, importId, 240_000);
    expect(importJob).toMatchObject({ status: 'completed', result: { rows: IMPORT_ROWS, imported: IMPORT_ROWS, updated: 0, failed: 0 } });
    const imported = (await owner('users').where({ tenant_id: tenant.id }).whereLike('email', 'restart%').pluck('email')) as string[];
    expect(imported).toHaveLength(IMPORT_ROWS);
    expect(new Set(imported).size).toBe(IMPORT_ROWS);
    expect(await importBatches(importId)).toBe(IMPORT_ROWS / IMPORT_BATCH);
  }, 360_000);
});
