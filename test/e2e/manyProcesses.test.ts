import { temporal } from '@temporalio/proto';
import { type Connection, type Client } from '@temporalio/client';
import knex from 'knex';
import { loadConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase } from '../../platform/db';
import { connectTemporalClient } from '../../platform/temporal/connection';
import { recordUsage } from '../../platform/metering/recordUsage';
import { startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { registerSalesforceConnector } from '../support/connectorFactories';
import { eventually } from '../support/eventually';
import { type CreatedTenant, uniqueSuffix } from '../support/hub';
import { startHubCluster, type HubCluster, type HubProcess } from '../support/hubCluster';
import { usersCsv } from '../support/importFiles';
import { SERVED_BY_HEADER } from '../support/loadBalancer';
import { startS3Server } from '../support/s3Server';
import { startWebhookReceiver } from '../support/webhookReceiver';
import { useStarted } from '../support/harness';

const ACCOUNTS = 4_000;
const PAGE_SIZE = 250;
const IMPORT_ROWS = 2_000;
const QUERY = /GET \/services\/data\/v62\.0\/query/;
const STARTER_RPS = 10;
/** Seeded so the quota tenant has this many calls of its 10,000 left. */
const QUOTA_LEFT = 30;
const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled'];
const startedAt = Date.now();
/** HUB_TEST_VERBOSE=1: where the run is, with seconds since the file started. */
const progress = (step: string) => {
  if (process.env.HUB_TEST_VERBOSE === '1') process.stderr.write(`[manyProcesses +${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${step}\n`);
};

/**
 * Many processes, one hub: 2 API processes behind a load balancer and 3 worker processes (the real
 * entry points) on one Postgres, one Temporal server and one S3 store (moto), with syncs, user
 * imports, webhooks and API traffic at once. One worker (the one running a sync page) and one API
 * process (under traffic) are SIGKILLed mid-run. Jobs, events, limits and traffic are checked
 * through the public API, the peer and the webhook receiver (never the webhook tables), stored rows
 * and usage counters through the owner connection: no record lost or duplicated, every job finished,
 * every event at the receiver, rate limit and quota held across both APIs, usage exact.
 */
describe('many processes, one hub', () => {
  const s3 = useStarted(() => startS3Server({ bucket: `hub-cluster-${uniqueSuffix()}` }), 'the S3 server');
  const peer = useStarted(() => startSalesforcePeer({ port: 0, records: { Account: ACCOUNTS, Contact: 0, Opportunity: 0 } }), 'the Salesforce peer');
  const receiver = useStarted(() => startWebhookReceiver(), 'the webhook receiver');
  const owner = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 0, max: 2 } });
  const appDb = createDatabase({ url: appDatabaseUrl(loadConfig(process.env)), poolMax: 2, applicationName: 'hub-test-cluster' });
  let cluster: HubCluster | undefined;
  let temporalConnection: Connection | undefined;
  let temporalClient: Client | undefined;
  let traffic: ReturnType<typeof startTraffic> | undefined;

  beforeAll(async () => {
    const taskQueue = `hub-test-cluster-${uniqueSuffix()}`;
    cluster = await startHubCluster({
      env: {
        ...process.env,
        ...s3.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        TEMPORAL_TASK_QUEUE: taskQueue,
        TEMPORAL_WORKFLOW_BUNDLE: process.env.HUB_TEST_WORKFLOW_BUNDLE ?? '',
        HUB_ALLOW_PRIVATE_NETWORK: 'true',
        HUB_DAILY_BACKUPS: 'false',
        SYNC_PAGE_SIZE: String(PAGE_SIZE),
        USAGE_FLUSH_INTERVAL: '250ms',
        WEBHOOK_RETRY_SCHEDULE: '500ms,500ms,1s,1s,2s',
      },
      apiEnv: { LOG_LEVEL: 'warn' },
      apis: 2,
      workers: 3,
    });
    progress('cluster up');
    // The hub's own client (its payload codec): describing a workflow decodes its memo.
    const connected = await connectTemporalClient(loadConfig(process.env));
    temporalConnection = connected.connection;
    temporalClient = connected.client;
  }, 240_000);

  afterAll(async () => {
    await traffic?.stop();
    await cluster?.stop();
    await temporalConnection?.close();
    await appDb.close();
    await owner.destroy();
  });

  it('loses and duplicates nothing when a worker and an API process are SIGKILLed mid-run', async () => {
    const hub = cluster!;

    const [syncA, syncB, importer, metered, load, limited, quota] = await Promise.all([
      hub.createTenant(),
      hub.createTenant(),
      hub.createTenant(),
      hub.createTenant(),
      hub.createTenant(),
      hub.createTenant({ plan: 'starter' }),
      hub.createTenant({ plan: 'starter' }),
    ]);
    for (const tenant of [syncA, syncB, importer]) {
      const created = await hub.request('POST', '/v1/webhooks', {
        key: tenant.key,
        body: { url: receiver.url, events: ['job.completed', 'job.failed', 'sync.completed'] },
      });
      expect(created.status).toBe(201);
    }

    progress('tenants and webhooks created');
    // Slow pages: a page is always in flight when the worker dies.
    peer.faults.add({ fault: { kind: 'latency', delayMs: 300 }, match: QUERY, times: Infinity });
    const connectors = [await registerSalesforceConnector(hub, syncA, peer), await registerSalesforceConnector(hub, syncB, peer)];
    const syncJobs = await Promise.all(
      [syncA, syncB].map(async (tenant, index) => {
        const started = await hub.request('POST', `/v1/connectors/${connectors[index]}/syncs`, { key: tenant.key, body: { streams: ['Account'] } });
        expect(started.status).toBe(202);
        return { tenant, id: started.body.job.id as string, workflowId: started.body.job.workflowId as string };
      }),
    );
    // Two imports of one file: the upload goes through one API process into S3, the job reads it on a worker.
    const uploaded = await hub.request('POST', '/v1/uploads?name=users.csv', {
      key: importer.key,
      rawBody: usersCsv(IMPORT_ROWS, { prefix: 'cluster' }),
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(uploaded.status).toBe(201);
    const importJobs: Array<{ tenant: CreatedTenant; id: string }> = [];
    for (let index = 0; index < 2; index += 1) {
      const started = await hub.request('POST', '/v1/jobs', {
        key: importer.key,
        body: { kind: 'user_import', params: { uploadId: uploaded.body.upload.id } },
      });
      expect(started.status).toBe(202);
      importJobs.push({ tenant: importer, id: started.body.job.id });
    }

    // API traffic through the balancer for the whole run: reads that retry when their API process dies.
    traffic = startTraffic(hub, load, ['/v1/tenant', '/v1/users', `/v1/records?limit=50`], 4);
    progress('syncs and imports started');

    // SIGKILL the worker that runs a sync page right now.
    const victim = await eventually(() => workerRunningPage(temporalClient!, hub.workers, syncJobs), 60_000, 'a worker running a sync page');
    await hub.kill(victim);
    progress('worker killed');

    // While the jobs go on, with both API processes live: rate limit, quota and usage across them.
    await recordUsage(appDb, { tenantId: quota.id, kind: 'api_call', quantity: 10_000 - QUOTA_LEFT, dedupeKey: `test/seed/${quota.id}` });
    const [rate, quotaRun, firstCalls] = await Promise.all([
      // A starter tenant (10/s) pushed by 20 clients for 4 s.
      burst(hub, limited, 20, 4_000),
      // A starter tenant with 30 calls left this month, on both replicas until both refuse.
      untilQuotaRefused(hub, quota),
      // A tenant's calls spread over both replicas.
      callsOf(hub, metered, 60),
    ]);
    progress('limits exercised');
    const bothApis = hub.apis.map((api) => api.url).sort();
    expect([...rate.servedBy].sort()).toEqual(bothApis);
    expect(rate.admitted).toBeGreaterThanOrEqual(STARTER_RPS);
    // Fixed one-second windows: a run of d seconds overlaps at most ceil(d) + 1 of them. Each replica
    // limiting on its own would admit about twice that.
    expect(rate.admitted).toBeLessThanOrEqual(STARTER_RPS * (Math.ceil(rate.seconds) + 1));
    expect([...quotaRun.servedBy].sort()).toEqual(bothApis);
    expect(quotaRun.admitted).toBeGreaterThanOrEqual(QUOTA_LEFT);
    // The replicas see each other's calls at their next usage flush: the overshoot is what the other
    // replica admitted in that interval, which the plan's rate limit caps (one second of it at most).
    expect(quotaRun.admitted).toBeLessThanOrEqual(QUOTA_LEFT + STARTER_RPS);
    expect([...firstCalls.servedBy].sort()).toEqual(bothApis);
    await eventually(async () => ((await apiCallsOf(metered)) >= 60 ? true : undefined), 30_000, 'the metered calls to be flushed');
    expect(await apiCallsOf(metered)).toBe(60);

    // SIGKILL one API process under traffic; the balancer sends new requests to the other.
    const servedBefore = traffic.answered();
    await eventually(() => (traffic!.answered() >= servedBefore + 10 ? true : undefined), 30_000, 'traffic on both APIs');
    await hub.kill(hub.apis[0]!);
    const afterKill = traffic.answered();
    await eventually(() => (traffic!.answered() >= afterKill + 20 ? true : undefined), 30_000, 'traffic to continue on the surviving API');
    const laterCalls = await callsOf(hub, metered, 40);
    expect([...laterCalls.servedBy]).toEqual([hub.apis[1]!.url]);
    progress('API killed, traffic on the survivor');

    // Every job finishes, with exactly the source's rows.
    const jobs = [...syncJobs, ...importJobs];
    const finished = await Promise.all(jobs.map((job) => finishedJob(hub, job.tenant, job.id)));
    await traffic.stop();
    const loadAdmitted = traffic.admitted();
    const trafficFailures = traffic.failures();
    traffic = undefined;
    for (const [index, job] of finished.slice(0, 2).entries()) {
      expect(job).toMatchObject({ status: 'completed', result: { totals: expect.objectContaining({ read: ACCOUNTS, inserted: ACCOUNTS, updated: 0 }) } });
      const rows = await owner('records').where({ connector_id: connectors[index] }).select('external_id');
      expect(rows).toHaveLength(ACCOUNTS);
      expect(new Set(rows.map((row) => row.external_id)).size).toBe(ACCOUNTS);
      const ids = new Set([...peer.org.table('Account').keys()]);
      expect(rows.every((row) => ids.has(row.external_id))).toBe(true);
      expect(await usageOf(syncJobs[index]!.tenant, 'sync_records')).toBe(ACCOUNTS);
    }
    progress('jobs finished');
    // The two imports of one file: the first inserts every row, the second finds them all (no row twice).
    const importResults = finished
      .slice(2)
      .map((job) => ({ status: job.status, imported: job.result.imported, updated: job.result.updated, failed: job.result.failed }));
    expect(importResults.map((result) => result.status)).toEqual(['completed', 'completed']);
    expect(importResults.reduce((sum, result) => sum + result.imported, 0)).toBe(IMPORT_ROWS);
    expect(importResults.every((result) => result.failed === 0)).toBe(true);
    const importedUsers = await owner('users').where({ tenant_id: importer.id }).whereLike('email', 'cluster%').select('email');
    expect(new Set(importedUsers.map((user) => user.email)).size).toBe(IMPORT_ROWS);
    expect(importedUsers).toHaveLength(IMPORT_ROWS);

    progress('records and users checked');
    // Every event reached the receiver: one job.completed per job, one sync.completed per sync, each
    // with at least one answered request for its webhook-id.
    const expectedJobs = new Set(jobs.map((job) => job.id));
    const delivered = await eventually(
      () => {
        const byId = new Map<string, { type: string; jobId?: string; answered: boolean }>();
        for (const request of receiver.received) {
          const body = JSON.parse(request.body) as { type: string; data: { jobId?: string } };
          const seen = byId.get(request.headers['webhook-id']!);
          byId.set(request.headers['webhook-id']!, { type: body.type, jobId: body.data.jobId, answered: (seen?.answered ?? false) || request.answered });
        }
        const events = [...byId.values()].filter((event) => event.answered);
        const completedJobs = new Set(events.filter((event) => event.type === 'job.completed').map((event) => event.jobId));
        const syncEvents = events.filter((event) => event.type === 'sync.completed');
        return [...expectedJobs].every((id) => completedJobs.has(id)) && syncEvents.length >= 2 ? { byId, events } : undefined;
      },
      60_000,
      'every event at the receiver',
    );
    expect(delivered.events.filter((event) => event.type === 'job.completed')).toHaveLength(jobs.length);
    expect(delivered.events.filter((event) => event.type === 'sync.completed')).toHaveLength(2);
    expect(delivered.events.filter((event) => event.type === 'job.failed')).toHaveLength(0);

    progress('events checked');
    // Graceful stop drains the survivors' usage; the metered tenant's 100 calls counted exactly once.
    // (The killed API's last unflushed usage interval is lost: the load tenant's count can only be lower.)
    await hub.stop();
    expect(await apiCallsOf(metered)).toBe(100);
    expect(await apiCallsOf(load)).toBeLessThanOrEqual(loadAdmitted);
    expect(trafficFailures).toEqual([]);
  }, 330_000);

  async function usageOf(tenant: CreatedTenant, kind: string): Promise<number> {
    const row = await owner('usage_counters').where({ tenant_id: tenant.id, kind }).sum({ quantity: 'quantity' }).first();
    return Number(row?.quantity ?? 0);
  }

  const apiCallsOf = (tenant: CreatedTenant) => usageOf(tenant, 'api_call');
});

async function finishedJob(hub: HubCluster, tenant: CreatedTenant, jobId: string) {
  let last = 'not read yet';
  try {
    return await eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${jobId}`, { key: tenant.key });
        last = JSON.stringify({
          status: response.status,
          kind: response.body?.job?.kind,
          state: response.body?.job?.status,
          progress: response.body?.job?.progress,
        });
        return TERMINAL.includes(response.body?.job?.status) ? response.body.job : undefined;
      },
      180_000,
      `job ${jobId} to finish`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen ${last}`);
  }
}

/** The worker process whose identity (pid@host) holds a started page activity of one of the syncs. */
async function workerRunningPage(client: Client, workers: HubProcess[], syncs: Array<{ workflowId: string }>): Promise<HubProcess | undefined> {
  for (const sync of syncs) {
    const description = await client.workflow.getHandle(sync.workflowId).describe();
    for (const activity of description.raw.pendingActivities ?? []) {
      if (activity.activityType?.name !== 'readAndStorePage') continue;
      if (activity.state !== temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) continue;
      const pid = Number(String(activity.lastWorkerIdentity ?? '').split('@')[0]);
      const worker = workers.find((candidate) => candidate.pid === pid && candidate.child.exitCode === null);
      if (worker) return worker;
    }
  }
  return undefined;
}

/** `calls` sequential GET /v1/tenant of one tenant through the balancer; every one must be admitted. */
async function callsOf(hub: HubCluster, tenant: CreatedTenant, calls: number) {
  const servedBy = new Set<string>();
  for (let index = 0; index < calls; index += 1) {
    const response = await hub.request('GET', '/v1/tenant', { key: tenant.key });
    expect(response.status).toBe(200);
    servedBy.add(response.headers.get(SERVED_BY_HEADER)!);
  }
  return { servedBy };
}

/** `clients` clients calling GET /v1/users as fast as they are answered for `durationMs`. */
async function burst(hub: HubCluster, tenant: CreatedTenant, clients: number, durationMs: number) {
  const servedBy = new Set<string>();
  let admitted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() - started < durationMs) {
        const response = await hub.request('GET', '/v1/users', { key: tenant.key });
        if (response.status === 200) {
          admitted += 1;
          servedBy.add(response.headers.get(SERVED_BY_HEADER)!);
        } else expect(response.body?.error?.code).toBe('RATE_LIMITED');
      }
    }),
  );
  return { admitted, servedBy, seconds: (performance.now() - started) / 1000 };
}

/** Clients on GET /v1/users until both replicas have refused for the quota 10 times each; answers what was admitted. */
async function untilQuotaRefused(hub: HubCluster, tenant: CreatedTenant) {
  const servedBy = new Set<string>();
  const refusedBy = new Map<string, number>();
  let admitted = 0;
  const done = () => refusedBy.size === 2 && [...refusedBy.values()].every((count) => count >= 10);
  const deadline = Date.now() + 60_000;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (!done() && Date.now() < deadline) {
        const response = await hub.request('GET', '/v1/users', { key: tenant.key });
        const backend = response.headers.get(SERVED_BY_HEADER)!;
        if (response.status === 200) {
          admitted += 1;
          servedBy.add(backend);
        } else if (response.body?.error?.code === 'QUOTA_EXCEEDED') refusedBy.set(backend, (refusedBy.get(backend) ?? 0) + 1);
        else {
          expect(response.body?.error?.code).toBe('RATE_LIMITED');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }),
  );
  expect(done()).toBe(true);
  return { admitted, servedBy };
}

/**
 * Steady read traffic of one tenant through the balancer, `clients` at a time, until stopped. A
 * request whose API process died (502, or the connection cut) is tried again: reads are safe to repeat.
 * Anything else than 200 is a failure. Each lane sends at most one request per LANE_INTERVAL_MS, so
 * the traffic stays under the plan's per-second limit on a fast machine (that limit has its own check).
 */
/** 25 requests per second per lane at most. */
const LANE_INTERVAL_MS = 40;

function startTraffic(hub: HubCluster, tenant: CreatedTenant, paths: string[], clients: number) {
  let stopped = false;
  let admitted = 0;
  const failures: string[] = [];
  const lanes = Array.from({ length: clients }, async (_, lane) => {
    for (let index = lane; !stopped; index += 1) {
      const path = paths[index % paths.length]!;
      const started = Date.now();
      try {
        const response = await hub.request('GET', path, { key: tenant.key });
        if (response.status === 200) admitted += 1;
        else if (response.status !== 502) failures.push(`${path}: ${response.status} ${response.text.slice(0, 200)}`);
      } catch {
        // The connection was cut by a dying process: try again.
      }
      const rest = LANE_INTERVAL_MS - (Date.now() - started);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  });
  return {
    answered: () => admitted,
    admitted: () => admitted,
    failures: () => failures,
    async stop() {
      stopped = true;
      await Promise.all(lanes);
    },
  };
}
