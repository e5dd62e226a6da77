import { AggregatorRegistry, collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { attachTemporalMetrics } from './temporal/temporalMetrics';

/** The Prometheus registry of one process and the series the hub records. */
export interface HubMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** Jobs that ended, by kind (`export`, `sync`, …) and outcome (completed, failed, cancelled). */
  jobsFinished: Counter<'kind' | 'outcome'>;
  /** Syncs (jobs of kind `sync`) that ended, by outcome. */
  syncsFinished: Counter<'outcome'>;
  /** Webhook delivery attempts by outcome: succeeded, failed, gone (410), refused (SSRF guard). */
  webhookDeliveries: Counter<'outcome'>;
  /** How long webhook attempts took, by outcome. */
  webhookDeliveryDuration: Histogram<'outcome'>;
  /**
   * Other processes whose series this one's /metrics serves too, summed with its own
   * (`npm start`: the API serves the worker's job, sync, webhook and `temporal_*` series).
   * Each returns `registry.getMetricsAsJSON()` of that process, or [] when it cannot be reached.
   */
  peers: Array<() => Promise<object[]>>;
}

/** The Prometheus text of a process's registry, with its peers' series aggregated in. */
export async function renderMetrics(metrics: HubMetrics): Promise<string> {
  if (metrics.peers.length === 0) return metrics.registry.metrics();
  const series = await Promise.all([metrics.registry.getMetricsAsJSON(), ...metrics.peers.map((peer) => peer())]);
  return AggregatorRegistry.aggregate(series).metrics();
}

/** A peer that fetches another process's metrics JSON ({@link serveWorkerMetrics}' `/metrics.json`). */
export function metricsPeerAt(url: string): () => Promise<object[]> {
  return async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return response.ok ? ((await response.json()) as object[]) : [];
    } catch {
      // The worker is starting or gone: serve this process's series alone.
      return [];
    }
  };
}

/**
 * A registry per process (not prom-client's global) so tests can boot several apps side by side.
 * The Temporal SDK's own worker metrics (task slots, poll and schedule-to-start latencies, sticky
 * cache, …) are bridged into it as `temporal_*` series when the process installed the runtime with
 * buffered metrics ({@link installTemporalRuntime}).
 */
export function createMetrics(options: { defaultMetrics: boolean } = { defaultMetrics: true }): HubMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  const httpRequestDuration = new Histogram({
    name: 'hub_http_request_duration_seconds',
    help: 'HTTP request latency by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const jobsFinished = new Counter({
    name: 'hub_jobs_finished_total',
    help: 'Jobs that ended, by kind and outcome (completed, failed, cancelled)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const syncsFinished = new Counter({
    name: 'hub_syncs_finished_total',
    help: 'Syncs that ended, by outcome (completed, failed, cancelled)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhookDeliveries = new Counter({
    name: 'hub_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (succeeded, failed, gone, refused)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhookDeliveryDuration = new Histogram({
    name: 'hub_webhook_delivery_duration_seconds',
    help: 'Duration of webhook delivery attempts (request sent to response read), by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  attachTemporalMetrics(registry);
  return { registry, httpRequestDuration, jobsFinished, syncsFinished, webhookDeliveries, webhookDeliveryDuration, peers: [] };
}
