import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase } from '../../platform/db';
import { emitEvent } from '../../platform/events/emitEvent';
import { startWebhookReceiver } from '../../test/support/webhookReceiver';
import { type Benchmark, type BenchReport } from '../harness';
import { createBenchTenant, startHubProcesses } from '../support/hubProcesses';

// BENCH_WEBHOOK_EVENTS overrides the count for quick local iterations; the reported figure is 10,000.
const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000);
const EMIT_BATCH = 500;
const BASELINE_CONCURRENCY = 50;
const TIMEOUT_MS = 20 * 60_000;

/**
 * Webhook fan-out: 10,000 outbox events of one tenant (committed in transactions of 500, as a
 * busy sync would) delivered by the real worker process to a local receiver — deliveries written
 * in the events' transactions, the tenant's drainer claiming them in batches, signed Standard
 * Webhooks requests sent concurrently, attempts recorded. Reports deliveries per second (from the
 * first commit to the last receipt, and over the delivery window alone), the commit-to-receipt
 * latency (p50, p99) of every event and duplicates. Baseline: the same 10,000 signed requests
 * POSTed straight to the receiver, 50 at a time. Targets: ≥ 1,000/s and ≥ 0.4 of direct, p99 ≤ 15 s.
 */
export const webhookFanout: Benchmark = {
  name: 'webhookFanout',
  description: `${EVENTS.toLocaleString('en')} events fanned out to a local receiver: hub (outbox → Temporal → HTTP) vs direct signed POSTs`,
  async run(context) {
    const receiver = await startWebhookReceiver();
    const hub = await startHubProcesses(context, { HUB_ALLOW_PRIVATE_NETWORK: 'true', DATABASE_POOL_MAX: '20' });
    const config = loadConfig({ ...context.env, LOG_LEVEL: 'silent' });
    const db = createDatabase({ url: appDatabaseUrl(config), poolMax: 4, applicationName: 'bench-webhooks' });
    try {
      const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
      context.log('webhookFanout: baseline (direct signed POSTs)');
      const baselineStarted = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: BASELINE_CONCURRENCY }, async () => {
          for (let index = next++; index < EVENTS; index = next++) {
            const id = `baseline-${index}`;
            const body = JSON.stringify({ type: 'job.completed', timestamp: new Date().toISOString(), data: { index } });
            const now = new Date();
            const response = await fetch(receiver.url, {
              method: 'POST',
              body,
              headers: {
                'content-type': 'application/json',
                'webhook-id': id,
                'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
                'webhook-signature': new Webhook(secret).sign(id, now, body),
              },
            });
            await response.text();
          }
        }),
      );
      const baselineSeconds = (performance.now() - baselineStarted) / 1000;
      receiver.received.length = 0;

      const slug = `bench-wh-${Date.now().toString(36)}`;
      const tenant = await createBenchTenant(hub, slug, 'enterprise');
      const created = await fetch(`${hub.apiUrl}/v1/webhooks`, {
        method: 'POST',
        headers: { 'X-API-Key': tenant.key, 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: receiver.url, events: ['job.completed'] }),
      });
      if (created.status !== 201) throw new Error(`webhook creation failed: ${created.status} ${await created.text()}`);

      context.log(`webhookFanout: emitting ${EVENTS} events`);
      const committedAt = new Map<string, number>();
      const started = performance.now();
      const startedAt = Date.now();
      for (let batch = 0; batch < EVENTS; batch += EMIT_BATCH) {
        const ids = await db.withTenant(tenant.tenantId, async (trx) => {
          const emitted: string[] = [];
          for (let index = batch; index < Math.min(EVENTS, batch + EMIT_BATCH); index += 1) {
            emitted.push(
              await emitEvent(trx, {
                tenantId: tenant.tenantId,
                type: 'job.completed',
                data: { jobId: `bench-${index}`, kind: 'export', status: 'completed' },
              }),
            );
          }
          return emitted;
        });
        const at = Date.now();
        for (const id of ids) committedAt.set(id, at);
      }
      const emitSeconds = (performance.now() - started) / 1000;

      const receivedAt = new Map<string, number>();
      const deadline = Date.now() + TIMEOUT_MS;
      let lastReport = Date.now();
      while (receivedAt.size < EVENTS) {
        for (const entry of receiver.received) {
          const id = entry.headers['webhook-id']!;
          if (committedAt.has(id) && !receivedAt.has(id)) receivedAt.set(id, entry.receivedAt);
        }
        if (Date.now() > deadline) throw new Error(`only ${receivedAt.size} of ${EVENTS} events delivered in ${TIMEOUT_MS / 1000} s`);
        if (Date.now() - lastReport > 10_000) {
          context.log(`webhookFanout: ${receivedAt.size}/${EVENTS} delivered`);
          lastReport = Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const lastReceipt = Math.max(...receivedAt.values());
      const firstReceipt = Math.min(...receivedAt.values());
      const firstCommit = Math.min(...committedAt.values());
      const seconds = (lastReceipt - Math.min(startedAt, firstCommit)) / 1000;
      const deliverySeconds = (lastReceipt - firstReceipt) / 1000;
      const latencies = [...receivedAt].map(([id, at]) => at - committedAt.get(id)!).sort((a, b) => a - b);
      const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
      const duplicates = receiver.received.filter((entry) => committedAt.has(entry.headers['webhook-id']!)).length - EVENTS;
      const report: BenchReport = {
        measurements: [
          { label: 'direct signed POSTs (50 at a time)', metrics: { deliveries: EVENTS, 'deliveries/s': EVENTS / baselineSeconds, seconds: baselineSeconds } },
          {
            label: 'hub: outbox → drainer → receiver',
            metrics: {
              deliveries: receivedAt.size,
              'deliveries/s': EVENTS / seconds,
              seconds,
              'delivering/s': EVENTS / deliverySeconds,
              'p50 ms': percentile(50),
              'p99 ms': percentile(99),
              'emit s': emitSeconds,
              duplicates,
            },
          },
        ],
        ratios: [
          { name: 'hub / direct deliveries per second', value: EVENTS / seconds / (EVENTS / baselineSeconds) },
          { name: 'hub (first to last receipt) / direct', value: EVENTS / deliverySeconds / (EVENTS / baselineSeconds) },
        ],
        notes: [
          'latency: from the commit of the event’s transaction to its first receipt; all events are committed up front, so p99 includes the queue of the whole burst',
          'deliveries/s: from the first commit (the burst includes its own emission, `emit s`) to the last receipt; delivering/s: from the first receipt to the last',
          'one tenant, one endpoint; API and worker are separate processes (NODE_ENV=production); the receiver runs in the benchmark process',
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
