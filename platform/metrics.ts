import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The Prometheus registry of one process and the series the hub records. */
export interface HubMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
}

/** A registry per process (not prom-client's global) so tests can boot several apps side by side. */
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
  return { registry, httpRequestDuration };
}
