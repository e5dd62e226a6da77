import type { BufferedMetricUpdate, MetricsBuffer } from '@temporalio/worker';
import { type Registry } from 'prom-client';

/**
 * Bridges the Temporal SDK's worker metrics into prom-client registries, so a process serves them
 * on its own /metrics next to the hub's series (no second exporter port). The SDK runtime is
 * installed with a metrics *buffer* (see installTemporalRuntime); this module drains it (on every
 * scrape and once a second) and keeps the series: counters and up-down counters accumulate deltas,
 * gauges keep the last value, histograms are bucketed here.
 *
 * Names get the `temporal_` prefix of the SDK's own Prometheus exporter; durations are in seconds.
 */

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface SeriesState {
  labels: Record<string, string>;
  value: number;
  /** Histograms: cumulative counts per bucket bound, sum and count. */
  buckets?: number[];
  sum?: number;
  count?: number;
}

interface MetricState {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  kind: string;
  series: Map<string, SeriesState>;
}

/** A prom-client-compatible metric object (registry.registerMetric accepts anything with get()). */
interface CollectorMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: 'sum';
    values: Array<{ value: number; labels: Record<string, string>; metricName?: string }>;
  }>;
  reset(): void;
}

const metrics = new Map<string, { state: MetricState; collector: CollectorMetric }>();
const registries = new Set<Registry>();
let source: MetricsBuffer | undefined;
let timer: NodeJS.Timeout | undefined;

/** Called once per process by the runtime installer with the SDK's metrics buffer. */
export function setTemporalMetricsSource(buffer: MetricsBuffer): void {
  source = buffer;
  timer ??= setInterval(drainTemporalMetrics, 1_000);
  timer.unref();
}

/** Registers the bridged Temporal series (those seen so far and every later one) in `registry`. */
export function attachTemporalMetrics(registry: Registry): void {
  registries.add(registry);
  for (const { collector } of metrics.values()) registerQuietly(registry, collector);
}

/** Applies every buffered SDK metric update. Safe to call at any time (no-op without a source). */
export function drainTemporalMetrics(): void {
  if (!source) return;
  let updates: Iterable<BufferedMetricUpdate>;
  try {
    updates = source.retrieveUpdates();
  } catch {
    return; // the runtime is shutting down
  }
  for (const update of updates) apply(update);
}

function apply(update: BufferedMetricUpdate): void {
  const name = prometheusName(update.metric.name);
  let entry = metrics.get(name);
  if (!entry) {
    const type = update.metric.kind === 'histogram' ? 'histogram' : update.metric.kind === 'counter' ? 'counter' : 'gauge';
    const state: MetricState = {
      name,
      help: update.metric.description || `Temporal SDK metric ${update.metric.name}`,
      type,
      kind: update.metric.kind,
      series: new Map(),
    };
    entry = { state, collector: collectorOf(state) };
    metrics.set(name, entry);
    for (const registry of registries) registerQuietly(registry, entry.collector);
  }
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(update.attributes)) labels[prometheusName(key, false)] = String(value);
  const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
  let series = entry.state.series.get(key);
  if (!series) {
    series = { labels, value: 0, ...(entry.state.type === 'histogram' ? { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 } : {}) };
    entry.state.series.set(key, series);
  }
  switch (entry.state.kind) {
    case 'counter':
    case 'up-down-counter':
      series.value += update.value;
      break;
    case 'gauge':
      series.value = update.value;
      break;
    case 'histogram':
      DURATION_BUCKETS.forEach((bound, index) => {
        if (update.value <= bound) series!.buckets![index]! += 1;
      });
      series.sum! += update.value;
      series.count! += 1;
      break;
  }
}

function collectorOf(state: MetricState): CollectorMetric {
  return {
    name: state.name,
    help: state.help,
    type: state.type,
    aggregator: 'sum',
    async get() {
      drainTemporalMetrics();
      const values: Array<{ value: number; labels: Record<string, string>; metricName?: string }> = [];
      for (const series of state.series.values()) {
        if (state.type !== 'histogram') {
          values.push({ value: series.value, labels: series.labels });
          continue;
        }
        DURATION_BUCKETS.forEach((bound, index) =>
          values.push({ value: series.buckets![index]!, labels: { ...series.labels, le: String(bound) }, metricName: `${state.name}_bucket` }),
        );
        values.push({ value: series.count!, labels: { ...series.labels, le: '+Inf' }, metricName: `${state.name}_bucket` });
        values.push({ value: series.sum!, labels: series.labels, metricName: `${state.name}_sum` });
        values.push({ value: series.count!, labels: series.labels, metricName: `${state.name}_count` });
      }
      return { name: state.name, help: state.help, type: state.type, aggregator: 'sum', values };
    },
    reset() {
      state.series.clear();
    },
  };
}

function registerQuietly(registry: Registry, collector: CollectorMetric): void {
  if (registry.getSingleMetric(collector.name)) return;
  registry.registerMetric(collector as never);
}

/** `workflow_task_schedule_to_start_latency` → `temporal_workflow_task_schedule_to_start_latency`. */
function prometheusName(raw: string, prefix = true): string {
  const clean = raw.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
  return prefix && !clean.startsWith('temporal_') ? `temporal_${clean}` : clean;
}
