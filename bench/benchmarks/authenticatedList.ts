import { freePort } from '../../platform/local/ports';
import { type Benchmark, type LoadResult, runInterleavedLoads, runLoad, spawnEntry, stopChild } from '../harness';
import { createBenchTenants, startApiProcess, startHubProcesses, type HubProcesses } from '../support/hubProcesses';

const CONNECTIONS = 50;
/** Bare, floor and hub alternate: ROUNDS rounds of DURATION_SECONDS each, the median round of each side counts. */
const ROUNDS = 3;
const DURATION_SECONDS = 8;
const WARMUP_SECONDS = 3;
/** One tenant per connection: a tenant alone is capped by its plan (enterprise: 250 requests/s). */
const TENANTS = 50;
const USERS_PER_TENANT = 25;

/** A load's row: throughput, latency and, where measured, the server's CPU per request. */
function loadMetrics(result: LoadResult): Record<string, number> {
  return {
    'req/s': result.requestsPerSecond,
    'p50 ms': result.p50Ms,
    'p99 ms': result.p99Ms,
    ...(result.serverCpuMicrosPerRequest === undefined ? {} : { 'server CPU µs/req': result.serverCpuMicrosPerRequest }),
  };
}

async function seedUsers(hub: HubProcesses, key: string, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`${hub.apiUrl}/v1/users`, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: `user${index}@bench.test`, name: `Bench user ${index}`, role: 'member' }),
    });
    if (response.status !== 201) throw new Error(`seeding users: ${response.status} ${await response.text()}`);
  }
}

/**
 * The control plane's hot path: authenticated `GET /v1/users` (a page of 25) on the real API
 * process — key check, shared rate limit, monthly quota, usage metering, RLS-scoped list query,
 * logging and metrics — against bare Express answering the same JSON, 50 connections, 50
 * enterprise tenants (one per connection). A third side, the query floor (bare Express plus the
 * page's one Postgres query through a plain pg Pool), shows what one database round trip per
 * request costs on this machine, so the hub's own overhead can be read apart from it.
 */
export const authenticatedList: Benchmark = {
  name: 'authenticatedList',
  description: `GET /v1/users (auth + rate limit + metering + RLS query), ${TENANTS} tenants, vs bare Express (and Express + the same query); ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_SECONDS}s`,
  async run(context) {
    const hub = await startHubProcesses(context);
    const barePort = await freePort();
    const bare = await spawnEntry('bench/support/bareServer.ts', { ...process.env, PORT: String(barePort) }, /bare express listening/);
    let floor: Awaited<ReturnType<typeof spawnEntry>> | undefined;
    try {
      context.log(`authenticatedList: onboarding ${TENANTS} tenants with ${USERS_PER_TENANT} users each`);
      const tenants = await createBenchTenants(hub, `bench-list-${Date.now().toString(36)}`, TENANTS);
      for (let batch = 0; batch < tenants.length; batch += 5) {
        await Promise.all(tenants.slice(batch, batch + 5).map(({ key }) => seedUsers(hub, key, USERS_PER_TENANT - 1)));
      }
      const keys = tenants.map(({ key }) => key);
      const floorPort = await freePort();
      floor = await spawnEntry(
        'bench/support/queryFloorServer.ts',
        {
          ...process.env,
          DATABASE_URL: context.env.DATABASE_URL,
          FLOOR_TENANT_IDS: tenants.map(({ tenantId }) => tenantId).join(','),
          PORT: String(floorPort),
        },
        /query floor listening/,
      );

      context.log(`authenticatedList: bare Express, query floor and hub API, alternating, ${ROUNDS} rounds of ${DURATION_SECONDS}s each`);
      const load = { connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, warmupSeconds: WARMUP_SECONDS };
      const interleaved = await runInterleavedLoads(
        {
          bare: { url: `http://127.0.0.1:${barePort}/v1/users`, serverPid: bare.pid, ...load },
          floor: { url: `http://127.0.0.1:${floorPort}/v1/users`, serverPid: floor.pid, ...load },
          hub: { url: `${hub.apiUrl}/v1/users`, headerPerConnection: { name: 'X-API-Key', values: keys }, serverPid: hub.apiPid, ...load },
        },
        ROUNDS,
      );
      const { bare: baseline, floor: queryFloor, hub: measured } = interleaved.medians;
      if (queryFloor.non2xx > 0 || queryFloor.errors > 0) throw new Error(`query floor answered ${queryFloor.non2xx} non-2xx and ${queryFloor.errors} errors`);
      if (measured.non2xx > 0 || measured.errors > 0) throw new Error(`hub answered ${measured.non2xx} non-2xx and ${measured.errors} errors`);
      // The default LOG_LEVEL=info adds one access line per request: measured apart, for the record.
      context.log('authenticatedList: hub API at LOG_LEVEL=info');
      const infoApi = await startApiProcess(context, { LOG_LEVEL: 'info' });
      const atInfo = await runLoad({
        url: `${infoApi.apiUrl}/v1/users`,
        headerPerConnection: { name: 'X-API-Key', values: keys },
        serverPid: infoApi.pid,
        ...load,
      }).finally(() => infoApi.stop());
      const ratio = measured.requestsPerSecond / baseline.requestsPerSecond;
      return {
        measurements: [
          { label: 'bare Express', metrics: loadMetrics(baseline) },
          { label: 'query floor (Express + the page query)', metrics: loadMetrics(queryFloor) },
          { label: 'hub GET /v1/users', metrics: loadMetrics(measured) },
          { label: 'same, LOG_LEVEL=info', metrics: loadMetrics(atInfo) },
        ],
        ratios: [
          { name: 'hub / bare throughput', value: ratio, target: '>= 0.5', met: ratio >= 0.5 },
          { name: 'hub p99 latency (ms)', value: measured.p99Ms, target: '< 25', met: measured.p99Ms < 25 },
          { name: 'hub / query floor throughput', value: measured.requestsPerSecond / queryFloor.requestsPerSecond },
          { name: 'query floor p99 latency (ms)', value: queryFloor.p99Ms },
        ],
        notes: [
          'API process runs with NODE_ENV=production, LOG_LEVEL=warn (the targets are checked on this row); the info row adds an access line per request; autocannon runs in its own process (one API key per connection)',
          'every request is metered (buffered usage events, flushed each second) and rate-limited (leases from the shared Postgres counter)',
          'query floor: bare Express + the same page query (same SQL) through a plain pg Pool of 4, no auth, limits, metering, RLS transaction, logging or metrics',
          'server CPU µs/req: CPU time (user + system, all threads) of the server process per answered request, read from /proc; one Node process cannot answer more than 1,000,000 / that many requests per second, and with 50 connections waiting on their answers the mean latency is at least 50 / that rate',
          `bare, floor and hub alternate (${ROUNDS} rounds of ${DURATION_SECONDS}s; each side's median round counts); rounds, req/s (p99 ms) bare / floor / hub: ${interleaved.rounds
            .map(
              (round) =>
                `${Math.round(round.bare.requestsPerSecond)} (${round.bare.p99Ms}) / ${Math.round(round.floor.requestsPerSecond)} (${round.floor.p99Ms}) / ${Math.round(round.hub.requestsPerSecond)} (${round.hub.p99Ms})`,
            )
            .join(', ')}`,
        ],
      };
    } finally {
      if (floor) await stopChild(floor);
      await stopChild(bare);
      await hub.stop();
    }
  },
};
