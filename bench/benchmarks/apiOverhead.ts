import { freePort } from '../../platform/local/ports';
import { type Benchmark, runLoad, spawnEntry, stopChild } from '../harness';
import { createBenchTenants, startHubProcesses } from '../support/hubProcesses';

const CONNECTIONS = 50;
const DURATION_SECONDS = 10;
const WARMUP_SECONDS = 3;

/**
 * API overhead: authenticated `GET /v1/tenant` on the real API process (key check, RLS-scoped
 * tenant read, request logging, metrics) against a bare Express process answering the same JSON.
 */
export const apiOverhead: Benchmark = {
  name: 'apiOverhead',
  description: `GET /v1/tenant with a valid key vs bare Express, ${CONNECTIONS} connections, ${DURATION_SECONDS}s`,
  async run(context) {
    const hub = await startHubProcesses(context);
    const barePort = await freePort();
    const bare = await spawnEntry('bench/support/bareServer.ts', { ...process.env, PORT: String(barePort) }, /bare express listening/);
    try {
      // One tenant per connection: a single tenant would be capped by its plan's rate limit.
      const keys = (await createBenchTenants(hub, `bench-api-${Date.now().toString(36)}`, CONNECTIONS)).map(({ key }) => key);
      context.log('apiOverhead: bare Express');
      const baseline = await runLoad({
        url: `http://127.0.0.1:${barePort}/v1/tenant`,
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
        warmupSeconds: WARMUP_SECONDS,
      });
      context.log('apiOverhead: hub API');
      const measured = await runLoad({
        url: `${hub.apiUrl}/v1/tenant`,
        headerPerConnection: { name: 'X-API-Key', values: keys },
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
        warmupSeconds: WARMUP_SECONDS,
      });
      if (measured.non2xx > 0 || measured.errors > 0) throw new Error(`hub answered ${measured.non2xx} non-2xx and ${measured.errors} errors`);
      return {
        measurements: [
          { label: 'bare Express', metrics: { 'req/s': baseline.requestsPerSecond, 'p50 ms': baseline.p50Ms, 'p99 ms': baseline.p99Ms } },
          { label: 'hub GET /v1/tenant', metrics: { 'req/s': measured.requestsPerSecond, 'p50 ms': measured.p50Ms, 'p99 ms': measured.p99Ms } },
        ],
        ratios: [{ name: 'hub / bare throughput', value: measured.requestsPerSecond / baseline.requestsPerSecond }],
        notes: ['API process runs with NODE_ENV=production, LOG_LEVEL=warn; autocannon runs in its own process; one enterprise tenant per connection'],
      };
    } finally {
      await stopChild(bare);
      await hub.stop();
    }
  },
};
