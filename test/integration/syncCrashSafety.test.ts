import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { type Knex } from 'knex';
import { monthlyUsage } from '../../platform/metering/recordUsage';
import { freePort } from '../../platform/local/ports';
import { ensureTemporalCli } from '../../platform/local/temporalCli';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../../platform/local/temporalDevServer';
import { startSalesforcePeer, type RunningSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { sfTime } from '../peers/salesforce/salesforceData';
import { startSagePeer } from '../peers/sage/sagePeer';
import { registerSalesforceConnector } from '../support/connectorFactories';
import { registerConnector } from '../support/connectors';
import { ownerDb, startTestHub, type CreatedTenant, type TestHub } from '../support/hub';
import { eventually } from '../support/eventually';
import { finishedJob, startSync } from '../support/syncs';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

const ACCOUNTS = 10_000;
const QUERY = /GET \/services\/data\/v62\.0\/query/;

/**
 * Exactly once whatever crashes: a worker process killed with SIGKILL in the middle of a page, and a
 * (persisted) Temporal server restarted in the middle of a sync. Each time the sync completes with
 * exactly the source's rows, no duplicates, metered once, and the cursor at the end of the stream.
 */
describe('sync engine: crash safety', () => {
  const owner = ownerDb();
  afterAll(() => owner.destroy());

  async function pagesCommitted(connectorId: string): Promise<number> {
    const row = await owner('sync_run_streams as s')
      .join('sync_runs as r', 'r.id', 's.run_id')
      .where('r.connector_id', connectorId)
      .sum({ pages: 's.pages' })
      .first();
    return Number(row?.pages ?? 0);
  }

  /** The rows, the usage, the ledger and the cursor all say: every Account exactly once. */
  async function expectExactlyOnce(
    db: Knex,
    hub: TestHub,
    tenant: CreatedTenant,
    connectorId: string,
    job: { result: { totals: Record<string, number> } },
    peer: RunningSalesforcePeer,
  ) {
    const rows = await db('records').where({ connector_id: connectorId }).select('external_id');
    expect(rows).toHaveLength(ACCOUNTS);
    expect(new Set(rows.map((row) => row.external_id)).size).toBe(ACCOUNTS);
    expect(job.result.totals).toMatchObject({ read: ACCOUNTS, inserted: ACCOUNTS, updated: 0, deleted: 0 });
    expect(await monthlyUsage(hub.db, tenant.id, 'sync_records')).toBe(ACCOUNTS);
    const state = await db('sync_stream_state').where({ connector_id: connectorId, stream: 'Account' }).first();
    expect(state).toMatchObject({ done: true, page_no: job.result.totals.pages });
    const newest = [...peer.org.table('Account').values()]
      .sort((a, b) => sfTime(a.SystemModstamp) - sfTime(b.SystemModstamp) || a.Id.localeCompare(b.Id))
      .at(-1)!;
    expect(JSON.parse(state.cursor)).toMatchObject({ since: newest.SystemModstamp, lastId: newest.Id });
  }

  it('a worker killed with SIGKILL mid-page: a new worker finishes the sync with exactly the right rows', async () => {
    const peer = await startSalesforcePeer({ port: 0, records: { Account: ACCOUNTS, Contact: 0, Opportunity: 0 } });
    const hub = await startTestHub({ SYNC_PAGE_SIZE: '500' }, { worker: false });
    const workers: WorkerProcess[] = [];
    try {
      workers.push(await startWorkerProcess(hub));
      const tenant = await hub.createTenant();
      const connectorId = await registerSalesforceConnector(hub, tenant, peer);
      // Slow pages, so there is always one in flight.
      peer.faults.add({ fault: { kind: 'latency', delayMs: 400 }, match: QUERY, times: Infinity });
      const started = await startSync(hub, tenant, connectorId, { streams: ['Account'] });

      await eventually(async () => ((await pagesCommitted(connectorId)) >= 5 ? true : undefined), 60_000, 'five committed pages');
      // Kill the worker while a page activity runs and waits for its page from the source (pages are
      // read ahead, so a request in flight alone does not mean an activity holds it).
      const seen = peer.faults.count(QUERY);
      await eventually(() => (peer.faults.count(QUERY) > seen ? true : undefined), 10_000, 'a page request in flight');
      await eventually(async () => ((await pageActivityRunning(hub, started.workflowId)) ? true : undefined), 10_000, 'a page activity running');
      await workers[0]!.kill();
      const committedAtKill = await pagesCommitted(connectorId);
      expect(committedAtKill).toBeLessThan(ACCOUNTS / 500);

      workers.push(await startWorkerProcess(hub));
      const job = await finishedJob(hub, tenant, started.id, 180_000);
      expect(job.status).toBe('completed');
      await expectExactlyOnce(owner, hub, tenant, connectorId, job, peer);
      // The page the dead worker held was attempted again (noticed by its heartbeat timeout).
      expect(job.result.totals.retries).toBeGreaterThanOrEqual(1);
    } finally {
      for (const worker of workers) await worker.stop();
      await hub.stop();
      await peer.stop();
    }
  });

  it('a declarative connector (shipped Sage definition) whose worker is killed with SIGKILL mid-page: exactly the right rows', async () => {
    const CONTACTS = 6_000;
    const CONTACTS_QUERY = /GET \/v3\.1\/contacts/;
    const peer = await startSagePeer({ port: 0, records: CONTACTS, seed: 17 });
    const hub = await startTestHub({ SYNC_PAGE_SIZE: '500' }, { worker: false });
    const workers: WorkerProcess[] = [];
    try {
      workers.push(await startWorkerProcess(hub));
      const tenant = await hub.createTenant();
      const connectorId = await registerConnector(hub, tenant, {
        type: 'sage-accounting',
        config: { businessId: peer.businessId, baseUrl: peer.apiUrl, tokenUrl: peer.tokenUrl },
        credentials: peer.issueCredentials(),
      });
      peer.faults.add({ fault: { kind: 'latency', delayMs: 400 }, match: CONTACTS_QUERY, times: Infinity });
      const started = await startSync(hub, tenant, connectorId, { streams: ['contacts'] });

      await eventually(async () => ((await pagesCommitted(connectorId)) >= 5 ? true : undefined), 60_000, 'five committed pages');
      const seen = peer.faults.count(CONTACTS_QUERY);
      await eventually(() => (peer.faults.count(CONTACTS_QUERY) > seen ? true : undefined), 10_000, 'a page request in flight');
      await eventually(async () => ((await pageActivityRunning(hub, started.workflowId)) ? true : undefined), 10_000, 'a page activity running');
      await workers[0]!.kill();
      expect(await pagesCommitted(connectorId)).toBeLessThan(CONTACTS / 200);

      workers.push(await startWorkerProcess(hub));
      const job = await finishedJob(hub, tenant, started.id, 180_000);
      expect(job.status).toBe('completed');
      const rows = await owner('records').where({ connector_id: connectorId }).select('external_id');
      expect(rows).toHaveLength(CONTACTS);
      expect(new Set(rows.map((row) => row.external_id)).size).toBe(CONTACTS);
      expect(job.result.totals).toMatchObject({ read: CONTACTS, inserted: CONTACTS, updated: 0, deleted: 0 });
      expect(job.result.totals.retries).toBeGreaterThanOrEqual(1);
      expect(await monthlyUsage(hub.db, tenant.id, 'sync_records')).toBe(CONTACTS);
      const state = await owner('sync_stream_state').where({ connector_id: connectorId, stream: 'contacts' }).first();
      const newest = peer.store
        .list('contacts')
        .map((contact) => contact.updated_at)
        .sort()
        .at(-1)!;
      // The next increment starts the definition's 60 s lookback before the newest change read.
      expect(state).toMatchObject({ done: true, page_no: job.result.totals.pages });
      expect(JSON.parse(state.cursor)).toMatchObject({ phase: 'changes', start: new Date(Date.parse(newest) - 60_000).toISOString() });
    } finally {
      for (const worker of workers) await worker.stop();
      await hub.stop();
      await peer.stop();
    }
  }, 300_000);

  it('a Temporal server restarted mid-sync (persisted): the sync completes with exactly the right rows', async () => {
    const peer = await startSalesforcePeer({ port: 0, records: { Account: ACCOUNTS, Contact: 0, Opportunity: 0 } });
    const cli = await ensureTemporalCli(() => undefined);
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-temporal-restart-'));
    const serverOptions = {
      cliPath: cli.path,
      port: await freePort(),
      uiPort: 0,
      dbFile: path.join(directory, 'temporal.db'),
      headless: true,
      logFile: path.join(directory, 'temporal.log'),
      log: () => undefined,
    };
    let server: TemporalDevServerHandle = await startTemporalDevServer(serverOptions);
    const hub = await startTestHub({ TEMPORAL_ADDRESS: server.address, SYNC_PAGE_SIZE: '500' });
    try {
      const tenant = await hub.createTenant();
      const connectorId = await registerSalesforceConnector(hub, tenant, peer);
      peer.faults.add({ fault: { kind: 'latency', delayMs: 300 }, match: QUERY, times: Infinity });
      const started = await startSync(hub, tenant, connectorId, { streams: ['Account'] });
      await eventually(async () => ((await pagesCommitted(connectorId)) >= 4 ? true : undefined), 60_000, 'four committed pages');

      await server.stop();
      const committedWhileDown = await pagesCommitted(connectorId);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      server = await startTemporalDevServer(serverOptions);
      expect(committedWhileDown).toBeLessThan(ACCOUNTS / 500);

      const job = await finishedJob(hub, tenant, started.id, 180_000);
      expect(job.status).toBe('completed');
      await expectExactlyOnce(owner, hub, tenant, connectorId, job, peer);
    } finally {
      await hub.stop();
      await server.stop();
      await peer.stop();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

/** Whether the sync's workflow has a `readAndStorePage` activity started on a worker. */
async function pageActivityRunning(hub: TestHub, workflowId: string): Promise<boolean> {
  const description = await hub.temporal.workflow.getHandle(workflowId).describe();
  return (description.raw.pendingActivities ?? []).some(
    (activity) =>
      activity.activityType?.name === 'readAndStorePage' && activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
  );
}
