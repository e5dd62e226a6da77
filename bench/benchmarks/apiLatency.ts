import { randomUUID } from 'node:crypto';
import knex from 'knex';
import { freePort } from '../../platform/local/ports';
import { type Benchmark, type Measurement, type OpenLoopResult, percentile, runLoad, runOpenLoopLoad, spawnEntry, stopChild } from '../harness';
import { createBenchTenants, startHubProcesses } from '../support/hubProcesses';

/** One enterprise tenant per 1/50 of the load: a tenant alone is capped at its plan's 250 requests/s. */
const TENANTS = 50;
const USERS_PER_TENANT = 25;
const RECORDS_PER_TENANT = 200;
/** The offered rate: this share of bare Express's closed-loop capacity on the same route, measured in the same run. */
const LOAD_SHARE = 0.5;
const CAPACITY_SECONDS = 5;
/** Bare, floor and hub alternate at the same rate: ROUNDS rounds of DURATION_SECONDS each, latencies pooled. */
const ROUNDS = 2;
const DURATION_SECONDS = 8;
const WARMUP_SECONDS = 2;
/** Connections the open-loop client may open; a request finding none free waits in the client, and that counts. */
const CLIENT_CONNECTIONS = 200;

const ROUTES = ['/v1/users', '/v1/tenant', '/v1/records?limit=25'] as const;
const SIDES = ['bare', 'floor', 'hub'] as const;
type Side = (typeof SIDES)[number];

function latencyMetrics(results: OpenLoopResult[]): Record<string, number> {
  const latencies = results.flatMap((result) => result.latencies);
  return {
    'offered req/s': results[0]!.offeredPerSecond,
    requests: latencies.length,
    'p50 ms': percentile(latencies, 0.5),
    'p99 ms': percentile(latencies, 0.99),
    'p999 ms': percentile(latencies, 0.999),
    'max ms': percentile(latencies, 1),
  };
}

/**
 * What a user sees under a steady load: an open-loop client offers a constant arrival rate — half
 * of what bare Express answers closed-loop on the same route, measured first in the same run — to
 * bare Express, the query floor (bare Express plus the route's own SQL through a plain pg Pool)
 * and the hub API, for `GET /v1/users`, `GET /v1/tenant` and `GET /v1/records`, and reports
 * p50/p99/p999 measured from when each request was due. Targets: hub p99 < 25 ms and at most 1.5 ×
 * the floor's p99 at the same rate.
 */
export const apiLatency: Benchmark = {
  name: 'apiLatency',
  description: `open-loop load at ${LOAD_SHARE * 100}% of bare Express's closed-loop capacity on GET /v1/users, /v1/tenant, /v1/records: p50/p99/p999 of bare, query floor and hub; ${ROUNDS} alternating rounds of ${DURATION_SECONDS}s per side`,
  async run(context) {
    const owner = knex({ client: 'pg', connection: context.env.DATABASE_URL, pool: { min: 0, max: 2 } });
    const hub = await startHubProcesses(context, { HUB_ALLOW_PRIVATE_NETWORK: 'true' });
    const barePort = await freePort();
    const bare = await spawnEntry('bench/support/bareServer.ts', { ...process.env, PORT: String(barePort) }, /bare express listening/);
    let floor: Awaited<ReturnType<typeof spawnEntry>> | undefined;
    try {
      context.log(`apiLatency: onboarding ${TENANTS} tenants with ${USERS_PER_TENANT} users and ${RECORDS_PER_TENANT} records each`);
      const tenants = await createBenchTenants(hub, `bench-latency-${Date.now().toString(36)}`, TENANTS);
      for (const tenant of tenants) await seedTenant(hub.apiUrl, owner, tenant);
      await owner.raw('analyze users');
      await owner.raw('analyze records');
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
      const bases: Record<Side, string> = { bare: `http://127.0.0.1:${barePort}`, floor: `http://127.0.0.1:${floorPort}`, hub: hub.apiUrl };

      const measurements: Measurement[] = [];
      const ratios: Array<{ name: string; value: number; target?: string; met?: boolean }> = [];
      const notes: string[] = [];
      for (const route of ROUTES) {
        context.log(`apiLatency: ${route}: bare Express closed-loop capacity`);
        const capacity = await runLoad({ url: `${bases.bare}${route}`, connections: 50, durationSeconds: CAPACITY_SECONDS, warmupSeconds: 2 });
        const rate = Math.round(capacity.requestsPerSecond * LOAD_SHARE);
        context.log(`apiLatency: ${route}: ${rate} req/s offered to bare, floor and hub, ${ROUNDS} rounds`);
        const results: Record<Side, OpenLoopResult[]> = { bare: [], floor: [], hub: [] };
        for (let round = 0; round < ROUNDS; round += 1) {
          for (const side of SIDES) {
            const result = await runOpenLoopLoad({
              url: `${bases[side]}${route}`,
              ratePerSecond: rate,
              durationSeconds: DURATION_SECONDS,
              warmupSeconds: round === 0 ? WARMUP_SECONDS : undefined,
              connections: CLIENT_CONNECTIONS,
              ...(side === 'hub' ? { header: { name: 'X-API-Key', values: keys } } : {}),
            });
            if (result.non2xx > 0 || result.errors > 0) throw new Error(`${side} ${route}: ${result.non2xx} non-2xx, ${result.errors} errors`);
            results[side].push(result);
          }
        }
        const metrics = Object.fromEntries(SIDES.map((side) => [side, latencyMetrics(results[side])])) as Record<Side, Record<string, number>>;
        const path = route.split('?')[0]!;
        measurements.push(
          { label: `bare Express ${path} (closed loop, 50 connections)`, metrics: { 'req/s': capacity.requestsPerSecond, 'p99 ms': capacity.p99Ms } },
          { label: `bare Express ${path}`, metrics: metrics.bare },
          { label: `query floor ${path}`, metrics: metrics.floor },
          { label: `hub ${path}`, metrics: metrics.hub },
        );
        const hubP99 = metrics.hub['p99 ms']!;
        const floorP99 = metrics.floor['p99 ms']!;
        ratios.push(
          { name: `${path}: hub p99 (ms)`, value: hubP99, target: '< 25', met: hubP99 < 25 },
          { name: `${path}: hub p99 / floor p99`, value: hubP99 / floorP99, target: '<= 1.5', met: hubP99 <= 1.5 * floorP99 },
        );
        notes.push(
          `${path} rounds, p99 ms bare / floor / hub: ${results.bare.map((_, round) => SIDES.map((side) => percentile(results[side][round]!.latencies, 0.99).toFixed(1)).join(' / ')).join(', ')}`,
        );
      }
      return {
        measurements,
        ratios,
        notes: [
          `open-loop client (bench/support/openLoopLoad.ts, its own process, undici, up to ${CLIENT_CONNECTIONS} connections): request i is due at i / rate and its latency counts from then; autocannon's overallRate was not used because it sends each connection's per-second quota back to back at the top of every second`,
          `offered rate: ${LOAD_SHARE * 100}% of bare Express's closed-loop req/s on the same route (autocannon, 50 connections, ${CAPACITY_SECONDS}s), measured just before`,
          `API process with NODE_ENV=production, LOG_LEVEL=warn; ${TENANTS} enterprise tenants, one API key each, round-robin per request; /v1/records reads the first 25 of ${RECORDS_PER_TENANT} changes and writes its audit row (the floor writes the same row with a plain INSERT)`,
          ...notes,
        ],
      };
    } finally {
      if (floor) await stopChild(floor);
      await stopChild(bare);
      await hub.stop();
      await owner.destroy();
    }
  },
};

/** Users straight into Postgres (owner), a connector through the API and its records straight into Postgres. */
async function seedTenant(apiUrl: string, owner: knex.Knex, tenant: { tenantId: string; key: string }): Promise<void> {
  await owner('users').insert(
    Array.from({ length: USERS_PER_TENANT - 1 }, (_, index) => ({
      id: randomUUID(),
      tenant_id: tenant.tenantId,
      email: `user${index}@${tenant.tenantId}.test`,
      name: `Bench user ${index}`,
      role: 'member',
      status: 'invited',
    })),
  );
  const connector = await fetch(`${apiUrl}/v1/connectors`, {
    method: 'POST',
    headers: { 'X-API-Key': tenant.key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'scan', name: 'bench-scan', config: { endpoint: 'http://127.0.0.1:9' }, credentials: { apiKey: 'bench' } }),
  });
  if (connector.status !== 201) throw new Error(`connector: ${connector.status} ${await connector.text()}`);
  const connectorId = ((await connector.json()) as { connector: { id: string } }).connector.id;
  await owner.raw(
    `insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, source_updated_at, change_seq)
     select ?, ?, 'medications', lpad(n::text, 8, '0'), jsonb_build_object('name', 'Medication ' || n, 'ndc', '0000-' || n, 'qty', n % 90), md5(n::text), now(), n
       from generate_series(1, ?) n`,
    [tenant.tenantId, connectorId, RECORDS_PER_TENANT],
  );
}
