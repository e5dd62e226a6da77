import { type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig } from '../../platform/config';
import { connectTemporalClient } from '../../platform/temporal/connection';
import { startSalesforcePeer, type RunningSalesforcePeer } from '../../test/peers/salesforce/salesforcePeer';
import { startHubCluster, type HubCluster } from '../../test/support/hubCluster';
import { startS3Server } from '../../test/support/s3Server';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhookReceiver';
import { type Benchmark, type BenchContext, type LoadResult, processCpuMicros, runLoad, spawnEntry, stopChild } from '../harness';
import { productionDatabaseEnv } from '../support/hubProcesses';
import { stackCpuReader } from '../support/stackCpu';

const API_TENANTS = 50;
const CONNECTIONS = 50;
const LOAD_SECONDS = 8;
const WARMUP_SECONDS = 4;
const SYNCS = 3;
const ACCOUNTS = Number(process.env.BENCH_SCALE_ACCOUNTS ?? 20_000);
const PAGE = 2_000;

/** What one configuration (n API processes, m workers) did. */
interface ClusterFigures {
  apiRequestsPerSecond: number;
  /** API processes' CPU per answered GET /v1/users, summed over the processes. */
  apiCpuMicrosPerRequest: number;
  /** Non-2xx answers and errors of the balancer run (502s of a backend that reset a connection). */
  failedRequests: number;
  recordsPerSecond: number;
  /** Worker processes' CPU per synced record, summed over the processes. */
  workerCpuMicrosPerRecord: number;
  /** Postgres's CPU per API request and per synced record (all its processes). */
  postgresCpuMicrosPerRequest: number;
  postgresCpuMicrosPerRecord: number;
  /** The Temporal dev server's CPU per synced record. */
  temporalCpuMicrosPerRecord: number;
  syncSeconds: number;
}

/**
 * Scale-out: the many-process setup of the kill test (2 API processes behind a load balancer, 3
 * worker processes, one Postgres, one Temporal server, the S3 store on moto) against 1 API + 1 worker
 * in the same run: aggregate API throughput (authenticated GET /v1/users over 50 tenants, through
 * the balancer, which runs in its own process) and sync throughput (3 Salesforce syncs at once).
 * The single-process run also gives the per-process figures docs/scaling.md builds on: CPU per
 * request for each route class, CPU per synced record, and Temporal actions per sync page, per job
 * and per webhook delivery, counted from the workflows' histories.
 */
export const scaleOut: Benchmark = {
  name: 'scaleOut',
  description: `2 API + 3 worker processes behind a load balancer vs 1 API + 1 worker: GET /v1/users req/s (${API_TENANTS} tenants) and records/s of ${SYNCS} syncs of ${ACCOUNTS.toLocaleString('en')} records`,
  async run(context) {
    const s3 = await startS3Server({ bucket: 'hub-bench-scale' });
    const peer = await startSalesforcePeer({ port: 0, records: { Account: ACCOUNTS, Contact: 0, Opportunity: 0 } });
    const receiver = await startWebhookReceiver();
    // The hub's client (its payload codec decodes what listing and histories carry).
    const { client: temporalClient, connection: temporalConnection } = await connectTemporalClient(loadConfig(context.env));
    const notes: string[] = [];
    try {
      context.log('scaleOut: 1 API + 1 worker');
      const single = await measureCluster(context, { apis: 1, workers: 1, s3Env: s3.env, peer, receiver, temporal: temporalClient });
      context.log('scaleOut: 2 API + 3 workers');
      const many = await measureCluster(context, { apis: 2, workers: 3, s3Env: s3.env, peer, receiver });
      notes.push(...single.notes, ...many.notes);
      const perClass = single.routeClasses;
      const actions = single.actions!;
      return {
        measurements: [
          ...perClass.map((route) => ({
            label: `1 API: ${route.route}`,
            metrics: {
              'req/s': route.load.requestsPerSecond,
              'p99 ms': route.load.p99Ms,
              'CPU µs/req': route.cpuMicros,
              'req/s per core': 1e6 / route.cpuMicros,
              'Postgres CPU µs/req': route.postgresMicros,
            },
          })),
          { label: '1 API + 1 worker (balancer)', metrics: figuresMetrics(single.figures) },
          { label: '2 API + 3 workers (balancer)', metrics: figuresMetrics(many.figures) },
          ...actions.map((row) => ({
            label: `Temporal: ${row.what}`,
            metrics: { workflows: row.workflows, 'history events': row.events, actions: row.actions, 'actions per unit': row.perUnit },
          })),
        ],
        ratios: [
          { name: 'API req/s, many / one', value: many.figures.apiRequestsPerSecond / single.figures.apiRequestsPerSecond },
          { name: 'sync records/s, many / one', value: many.figures.recordsPerSecond / single.figures.recordsPerSecond },
          { name: 'records/s per worker core (1 worker)', value: 1e6 / single.figures.workerCpuMicrosPerRecord },
        ],
        notes: [
          'every process (API, worker, balancer, Postgres, Temporal, moto, autocannon, the Salesforce peer) shares this machine: with few cores the many-process run is bounded by the same CPUs, so "per core" figures are what carries over to more machines',
          'CPU µs per request / record: user + system time from /proc of the API (or worker) processes over the measured period, summed, divided by what they did; req/s per core = 1,000,000 / that',
          'Temporal actions: history events that Temporal Cloud bills as actions (workflow started, activity scheduled, timer started, signal sent or received, child workflow started, side effect / marker, search attributes upserted, continue-as-new); activity heartbeats are billed too but are not in histories and are not counted',
          ...notes,
        ],
      };
    } finally {
      await temporalConnection.close();
      await receiver.stop();
      await peer.stop();
      await s3.stop();
    }
  },
};

function figuresMetrics(figures: ClusterFigures): Record<string, number> {
  return {
    'req/s': figures.apiRequestsPerSecond,
    'API CPU µs/req': figures.apiCpuMicrosPerRequest,
    'failed req': figures.failedRequests,
    'records/s': figures.recordsPerSecond,
    'worker CPU µs/record': figures.workerCpuMicrosPerRecord,
    'Postgres CPU µs/req': figures.postgresCpuMicrosPerRequest,
    'Postgres CPU µs/record': figures.postgresCpuMicrosPerRecord,
    'Temporal CPU µs/record': figures.temporalCpuMicrosPerRecord,
    'sync seconds': figures.syncSeconds,
  };
}

async function measureCluster(
  context: BenchContext,
  options: { apis: number; workers: number; s3Env: Record<string, string>; peer: RunningSalesforcePeer; receiver: WebhookReceiver; temporal?: Client },
) {
  const cluster = await startHubCluster({
    env: {
      ...productionDatabaseEnv(context),
      ...options.s3Env,
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HUB_ALLOW_PRIVATE_NETWORK: 'true',
      SYNC_PAGE_SIZE: String(PAGE),
      TEMPORAL_TASK_QUEUE: `hub-bench-scale-${options.apis}x${options.workers}`,
    },
    apiEnv: { LOG_LEVEL: 'warn' },
    apis: options.apis,
    workers: options.workers,
  });
  const balancer = await spawnEntry(
    'bench/support/loadBalancerMain.ts',
    { ...process.env, BENCH_BACKENDS: cluster.apis.map((api) => api.url).join(',') },
    /listening/,
  );
  const balancerUrl = /load balancer listening (\S+)/.exec(balancer.output())![1]!;
  const stack = stackCpuReader(context);
  const sample = () => ({ postgres: stack.postgres() ?? NaN, temporal: stack.temporal() ?? NaN });
  try {
    const label = `${options.apis}x${options.workers}`;
    const tenants = [];
    for (let batch = 0; batch < API_TENANTS; batch += 5) tenants.push(...(await Promise.all(Array.from({ length: 5 }, () => cluster.createTenant()))));
    const keys = tenants.map((tenant) => tenant.key);

    // Per-route-class CPU on one API process, measured straight at it (single-process run only).
    const routeClasses: Array<{ route: string; load: LoadResult; cpuMicros: number; postgresMicros: number }> = [];
    if (options.apis === 1) {
      for (const route of ['/v1/tenant', '/v1/users', '/v1/usage']) {
        context.log(`scaleOut ${label}: GET ${route} on the API process`);
        const before = sample();
        const load = await runLoad({
          url: `${cluster.apis[0]!.url}${route}`,
          headerPerConnection: { name: 'X-API-Key', values: keys },
          connections: CONNECTIONS,
          durationSeconds: LOAD_SECONDS,
          warmupSeconds: WARMUP_SECONDS,
          serverPid: cluster.apis[0]!.pid,
        });
        if (load.non2xx > 0 || load.errors > 0) throw new Error(`GET ${route}: ${load.non2xx} non-2xx, ${load.errors} errors`);
        // Postgres's share over the warm-up and the measured period, per request of the measured period (an upper bound).
        const postgresMicros = (sample().postgres - before.postgres) / (load.requests * (1 + WARMUP_SECONDS / LOAD_SECONDS));
        routeClasses.push({ route: `GET ${route}`, load, cpuMicros: load.serverCpuMicrosPerRequest!, postgresMicros });
      }
    }

    context.log(`scaleOut ${label}: GET /v1/users through the balancer`);
    await runLoad({
      url: `${balancerUrl}/v1/users`,
      headerPerConnection: { name: 'X-API-Key', values: keys },
      connections: CONNECTIONS,
      durationSeconds: WARMUP_SECONDS,
    });
    const apiCpuBefore = cpuOf(cluster.apis.map((api) => api.pid));
    const stackBeforeLoad = sample();
    const load = await runLoad({
      url: `${balancerUrl}/v1/users`,
      headerPerConnection: { name: 'X-API-Key', values: keys },
      connections: CONNECTIONS,
      durationSeconds: LOAD_SECONDS,
    });
    const apiCpu = cpuOf(cluster.apis.map((api) => api.pid)) - apiCpuBefore;
    const postgresForLoad = sample().postgres - stackBeforeLoad.postgres;
    // A handful of 502s (a balancer's reused connection reset under load) is reported, not fatal.
    if (load.non2xx + load.errors > load.requests / 100) throw new Error(`GET /v1/users through the balancer: ${load.non2xx} non-2xx, ${load.errors} errors`);

    context.log(`scaleOut ${label}: ${SYNCS} syncs of ${ACCOUNTS} records at once`);
    const syncTenants = tenants.slice(0, SYNCS);
    for (const tenant of syncTenants) {
      await expectStatus(
        cluster.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: options.receiver.url, events: ['job.completed', 'sync.completed'] } }),
        201,
      );
    }
    const connectors = await Promise.all(
      syncTenants.map(async (tenant) => {
        const created = await expectStatus(
          cluster.request('POST', '/v1/connectors', {
            key: tenant.key,
            body: {
              type: 'salesforce',
              name: 'bench org',
              config: { instanceUrl: options.peer.url, loginUrl: options.peer.url },
              credentials: { accessToken: options.peer.issueAccessToken() },
            },
          }),
          201,
        );
        return created.body.connector.id as string;
      }),
    );
    const workerCpuBefore = cpuOf(cluster.workers.map((worker) => worker.pid));
    const stackBeforeSyncs = sample();
    const started = performance.now();
    const jobs = await Promise.all(
      syncTenants.map(async (tenant, index) => {
        const response = await expectStatus(
          cluster.request('POST', `/v1/connectors/${connectors[index]}/syncs`, { key: tenant.key, body: { streams: ['Account'] } }),
          202,
        );
        return response.body.job.id as string;
      }),
    );
    const finished = await Promise.all(jobs.map((jobId, index) => finishedJob(cluster, syncTenants[index]!.key, jobId)));
    const syncSeconds = (performance.now() - started) / 1000;
    const workerCpu = cpuOf(cluster.workers.map((worker) => worker.pid)) - workerCpuBefore;
    const stackAfterSyncs = sample();
    for (const job of finished) {
      if (job.status !== 'completed' || job.result.totals.inserted !== ACCOUNTS)
        throw new Error(`sync ended ${job.status}: ${JSON.stringify(job.result ?? job.error)}`);
    }
    const records = ACCOUNTS * SYNCS;

    let actions: Awaited<ReturnType<typeof countActions>> | undefined;
    if (options.temporal) {
      const tenant = syncTenants[0]!;
      context.log(`scaleOut ${label}: an export job and the webhook deliveries, for the Temporal action count`);
      const exportJob = await expectStatus(
        cluster.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } }),
        202,
      );
      await finishedJob(cluster, tenant.key, exportJob.body.job.id);
      // sync: job.completed + sync.completed; export: job.completed.
      await waitFor(async () => options.receiver.received.filter((request) => request.answered).length >= SYNCS * 2 + 1, 120_000, 'the webhook deliveries');
      // Visibility is eventually consistent: give it a moment to list every closed workflow.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      actions = await countActions(options.temporal, tenant.id, Number(finished[0]!.result.totals.pages));
    }

    const figures: ClusterFigures = {
      apiRequestsPerSecond: load.requestsPerSecond,
      failedRequests: load.non2xx + load.errors,
      apiCpuMicrosPerRequest: apiCpu / load.requests,
      recordsPerSecond: records / syncSeconds,
      workerCpuMicrosPerRecord: workerCpu / records,
      postgresCpuMicrosPerRequest: postgresForLoad / load.requests,
      postgresCpuMicrosPerRecord: (stackAfterSyncs.postgres - stackBeforeSyncs.postgres) / records,
      temporalCpuMicrosPerRecord: (stackAfterSyncs.temporal - stackBeforeSyncs.temporal) / records,
      syncSeconds,
    };
    const answered = cluster.apis.map((api) => api.url);
    return {
      figures,
      routeClasses,
      actions,
      notes: [`${label}: balancer answered through ${answered.length} API process(es); sync pages of ${PAGE}, ${SYNCS} tenants at once`],
    };
  } finally {
    await stopChild(balancer);
    await cluster.stop();
  }
}

function cpuOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (processCpuMicros(pid) ?? 0), 0);
}

async function expectStatus(response: ReturnType<HubCluster['request']>, status: number) {
  const answered = await response;
  if (answered.status !== status) throw new Error(`expected ${status}, got ${answered.status}: ${answered.text.slice(0, 500)}`);
  return answered;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function finishedJob(cluster: HubCluster, key: string, jobId: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let job: any;
  await waitFor(
    async () => {
      job = (await cluster.request('GET', `/v1/jobs/${jobId}`, { key })).body?.job;
      return ['completed', 'completed_with_errors', 'failed', 'cancelled'].includes(job?.status);
    },
    600_000,
    `job ${jobId}`,
  );
  return job;
}

const EventType = temporal.api.enums.v1.EventType;
/** History events Temporal Cloud bills as actions (heartbeats are billed too but are not in histories). */
const BILLED = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  EventType.EVENT_TYPE_TIMER_STARTED,
  EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  EventType.EVENT_TYPE_MARKER_RECORDED,
  EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
  EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
]);

/**
 * Every workflow the tenant ran (visibility by its TenantId search attribute), grouped by type:
 * history events and billed actions. Per unit: the sync's per page, a job's per job, deliveries
 * per delivery (the dispatcher's share spread over them).
 */
async function countActions(client: Client, tenantId: string, syncPages: number) {
  const byType = new Map<string, { workflows: number; events: number; actions: number }>();
  for await (const execution of client.workflow.list({ query: `TenantId = '${tenantId}'` })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const events = history.events ?? [];
    const billed = events.filter((event) => BILLED.has(Number(event.eventType)));
    const row = byType.get(execution.type) ?? { workflows: 0, events: 0, actions: 0 };
    row.workflows += 1;
    row.events += events.length;
    row.actions += billed.length;
    byType.set(execution.type, row);
    if (execution.type === 'connectorSync') {
      // Split a sync's actions into what each page adds (its page activities) and what a sync costs whatever its size.
      const pageActions = billed.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'readAndStorePage').length;
      const pages = byType.get('connectorSync: page activities') ?? { workflows: 0, events: 0, actions: 0 };
      pages.workflows += 1;
      pages.actions += pageActions;
      byType.set('connectorSync: page activities', pages);
      const fixed = byType.get('connectorSync: the rest') ?? { workflows: 0, events: 0, actions: 0 };
      fixed.workflows += 1;
      fixed.actions += billed.length - pageActions;
      byType.set('connectorSync: the rest', fixed);
    }
  }
  const rows: Array<{ what: string; workflows: number; events: number; actions: number; perUnit: number }> = [];
  for (const [type, row] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    const perPage = type === 'connectorSync' || type === 'connectorSync: page activities';
    const unit = perPage ? syncPages : row.workflows;
    const per = perPage ? `per page (${syncPages} pages)` : 'per workflow';
    rows.push({ what: `${type} ${per}`, ...row, perUnit: row.actions / unit });
  }
  return rows;
}
