import { loadConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase } from '../../platform/db';
import { emitEvent } from '../../platform/events/emitEvent';
import { startWebhookReceiver } from '../../test/support/webhookReceiver';
import { type Benchmark, type BenchReport } from '../harness';
import { createBenchTenants, startHubProcesses } from '../support/hubProcesses';

// BENCH_WEBHOOK_STEADY_SECONDS / _RATE override the offered load for quick local iterations.
const SECONDS = Number(process.env.BENCH_WEBHOOK_STEADY_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_WEBHOOK_STEADY_RATE ?? 500);
const TENANTS = 20;
const TICK_MS = 100;
const TIMEOUT_MS = 5 * 60_000;

/**
 * Webhooks under a steady load: RATE events per second offered for SECONDS, spread over 20
 * tenants with one endpoint each (one drainer per tenant), every 100 ms one transaction per
 * tenant with its share of the tick's events, open loop (a tick does not wait for the previous
 * one's deliveries). Reports commit-to-receipt p50/p99/max over every event; target p99 < 1 s.
 * Baseline: what was offered and what the emitter managed to commit.
 */
export const webhookSteady: Benchmark = {
  name: 'webhookSteady',
  description: `${RATE} events/s for ${SECONDS} s over ${TENANTS} tenants' endpoints: commit → receipt latency`,
  async run(context) {
    const receiver = await startWebhookReceiver();
    const hub = await startHubProcesses(context, { HUB_ALLOW_PRIVATE_NETWORK: 'true', DATABASE_POOL_MAX: '20' });
    const config = loadConfig({ ...context.env, LOG_LEVEL: 'silent' });
    const db = createDatabase({ url: appDatabaseUrl(config), poolMax: TENANTS, applicationName: 'bench-webhooks-steady' });
    try {
      const prefix = `bench-whs-${Date.now().toString(36)}`;
      const tenants = await createBenchTenants(hub, prefix, TENANTS);
      for (const [index, tenant] of tenants.entries()) {
        const created = await fetch(`${hub.apiUrl}/v1/webhooks`, {
          method: 'POST',
          headers: { 'X-API-Key': tenant.key, 'Content-Type': 'application/json' },
          body: JSON.stringify({ url: `${receiver.url}?tenant=${index}`, events: ['sync.completed'] }),
        });
        if (created.status !== 201) throw new Error(`webhook creation failed: ${created.status} ${await created.text()}`);
      }
      // Warm-up: one event per tenant, so every drainer is running before the clock starts.
      const warm = new Set<string>();
      for (const tenant of tenants)
        warm.add(await db.withTenant(tenant.tenantId, (trx) => emitEvent(trx, { tenantId: tenant.tenantId, type: 'sync.completed', data: { warmUp: true } })));
      while (receiver.received.filter((entry) => warm.has(entry.headers['webhook-id']!)).length < warm.size)
        await new Promise((resolve) => setTimeout(resolve, 100));
      receiver.received.length = 0;

      context.log(`webhookSteady: offering ${RATE} events/s for ${SECONDS} s`);
      const committedAt = new Map<string, number>();
      const perTick = (RATE * TICK_MS) / 1000;
      const ticks = Math.round((SECONDS * 1000) / TICK_MS);
      const started = Date.now();
      const inFlight: Array<Promise<void>> = [];
      let lateTicks = 0;
      for (let tick = 0; tick < ticks; tick += 1) {
        const due = started + tick * TICK_MS;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        else if (wait < -TICK_MS) lateTicks += 1;
        for (const [index, tenant] of tenants.entries()) {
          // This tenant's share of the tick (the remainder goes to the first tenants).
          const count = Math.floor(perTick / TENANTS) + (index < perTick % TENANTS ? 1 : 0);
          if (count === 0) continue;
          inFlight.push(
            db
              .withTenant(tenant.tenantId, async (trx) => {
                const ids: string[] = [];
                for (let n = 0; n < count; n += 1)
                  ids.push(await emitEvent(trx, { tenantId: tenant.tenantId, type: 'sync.completed', data: { tick, n, connectorId: `c-${index}` } }));
                return ids;
              })
              .then((ids) => {
                const at = Date.now();
                for (const id of ids) committedAt.set(id, at);
              }),
          );
        }
        if (inFlight.length > 200) await Promise.all(inFlight.splice(0, inFlight.length - 100));
      }
      await Promise.all(inFlight);
      const offeredSeconds = (Date.now() - started) / 1000;
      const events = committedAt.size;

      const receivedAt = new Map<string, number>();
      const deadline = Date.now() + TIMEOUT_MS;
      while (receivedAt.size < events) {
        for (const entry of receiver.received) {
          const id = entry.headers['webhook-id']!;
          if (committedAt.has(id) && !receivedAt.has(id)) receivedAt.set(id, entry.receivedAt);
        }
        if (Date.now() > deadline) throw new Error(`only ${receivedAt.size} of ${events} events delivered`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const latencies = [...receivedAt].map(([id, at]) => Math.max(0, at - committedAt.get(id)!)).sort((a, b) => a - b);
      const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
      const duplicates = receiver.received.filter((entry) => committedAt.has(entry.headers['webhook-id']!)).length - events;
      const report: BenchReport = {
        measurements: [
          { label: 'offered (open loop)', metrics: { 'events/s': RATE, seconds: SECONDS, tenants: TENANTS } },
          {
            label: 'hub: committed → received',
            metrics: {
              events,
              'committed events/s': events / offeredSeconds,
              'p50 ms': percentile(50),
              'p99 ms': percentile(99),
              'max ms': latencies[latencies.length - 1]!,
              duplicates,
              'late ticks': lateTicks,
            },
          },
        ],
        ratios: [{ name: 'p99 commit → receipt / 1 s target', value: percentile(99) / 1000 }],
        notes: [
          'every 100 ms one transaction per tenant commits its share of the tick; latency runs from that commit to the first receipt of the event',
          `late ticks: ticks the emitter started more than ${TICK_MS} ms late (the machine could not offer the rate)`,
          'one endpoint per tenant, one receiver in the benchmark process; API and worker are separate processes (NODE_ENV=production)',
        ],
      };
      return report;
    } finally {
      await db.close();
      await hub.stop();
      await receiver.stop();
    }
  },
};
