import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { HubActivities } from '../../activities';
import type { PageOutcome } from '../../activities/sync/syncTypes';
import { loadConfig } from '../../platform/config';
import { taskQueueOf, workflowRouting } from '../../platform/temporal/taskQueues';
import { workerTuning } from '../../worker/worker';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import type { connectorSync } from '../../workflows/connectorSync';
import { type Benchmark, type Measurement } from '../harness';

// BENCH_TUNING_SYNCS overrides the count for quick iterations.
const SYNCS = Number(process.env.BENCH_TUNING_SYNCS ?? 100);
const PAGES_PER_STREAM = 4;
const STREAMS = ['accounts', 'contacts'];
/** What one page activity waits for (the connector's HTTP call and the upsert), so slots, not CPU, bound the run. */
const PAGE_LATENCY_MS = 20;

const SETTINGS: Array<{ label: string; env: Record<string, string> }> = [
  { label: 'SDK defaults', env: {} },
  { label: 'WORKER_MAX_CONCURRENT_ACTIVITIES=10', env: { WORKER_MAX_CONCURRENT_ACTIVITIES: '10' } },
  { label: 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=2', env: { WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '2' } },
  { label: 'WORKER_STICKY_CACHE_SIZE=0', env: { WORKER_STICKY_CACHE_SIZE: '0' } },
];

const zero = { read: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, pages: 0, retries: 0, rateLimited: 0, throttled: 0 };

/** The sync activities as stubs with a fixed latency: the run measures the worker and Temporal, not Postgres or a connector. */
function stubActivities(): Partial<HubActivities> {
  const pause = () => new Promise((resolve) => setTimeout(resolve, PAGE_LATENCY_MS));
  return {
    markJobStatus: async () => undefined,
    markJobFinished: async () => undefined,
    claimSyncRun: async (input) => ({ claimed: true, runId: input.jobId ?? randomUUID(), streams: STREAMS, connectorType: 'stub', connectorName: 'stub' }),
    acquireSyncSlot: async () => ({ acquired: true, running: 1, limit: 100 }),
    beginStreamSync: async () => ({ page: 0, done: false }),
    readAndStorePage: async (request): Promise<PageOutcome> => {
      await pause();
      return {
        kind: 'stored',
        stream: request.stream,
        page: request.page,
        read: 100,
        inserted: 100,
        updated: 0,
        unchanged: 0,
        deleted: 0,
        done: request.page >= PAGES_PER_STREAM,
        attempt: 1,
        cursor: String(request.page),
      };
    },
    finishSyncRun: async () => ({ streams: Object.fromEntries(STREAMS.map((name) => [name, { ...zero, status: 'completed' as const }])), totals: zero }),
  } as Partial<HubActivities>;
}

/**
 * Worker tuning: `SYNCS` connectorSync workflows (the real workflow code, 2 streams × 4 pages each,
 * page activities stubbed at 20 ms) queued at once and run by one in-process worker under each
 * setting of WORKER_MAX_CONCURRENT_ACTIVITIES, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS and
 * WORKER_STICKY_CACHE_SIZE: syncs/s, page activities/s, and the worker's CPU per sync. Baseline:
 * the SDK defaults, measured in the same run.
 */
export const workerTuningBench: Benchmark = {
  name: 'workerTuning',
  description: `${SYNCS} queued syncs (2 streams × ${PAGES_PER_STREAM} pages, pages stubbed at ${PAGE_LATENCY_MS} ms) per worker setting`,
  async run(context) {
    const address = context.env.TEMPORAL_ADDRESS!;
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Installed already by an earlier benchmark of this process.
    }
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('ERROR') });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    const nativeConnection = await NativeConnection.connect({ address });
    const measurements: Measurement[] = [];
    try {
      for (const setting of SETTINGS) {
        const config = loadConfig({ TEMPORAL_TASK_QUEUE: `bench-tuning-${randomUUID().slice(0, 8)}`, ...setting.env });
        context.log(`workerTuning: ${setting.label}`);
        const handles = await Promise.all(
          Array.from({ length: SYNCS }, (_, index) => {
            const tenantId = randomUUID();
            return client.workflow.start<typeof connectorSync>(WORKFLOW_TYPES.connectorSync, {
              workflowId: `bench-tuning/${index}/${randomUUID()}`,
              args: [
                {
                  jobId: randomUUID(),
                  tenantId,
                  tenantSlug: 'bench',
                  kind: 'sync',
                  params: { connectorId: randomUUID(), mode: 'incremental', streams: null },
                  requestedBy: 'bench',
                  trigger: 'api',
                },
              ],
              ...workflowRouting(config, WORKFLOW_TYPES.connectorSync, tenantId),
            });
          }),
        );
        const worker = await Worker.create({
          connection: nativeConnection,
          namespace: 'default',
          taskQueue: taskQueueOf(config, 'sync'),
          workflowBundle,
          activities: stubActivities(),
          ...workerTuning(config),
        });
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        await worker.runUntil(Promise.all(handles.map((handle) => handle.result())));
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const pages = SYNCS * STREAMS.length * PAGES_PER_STREAM;
        measurements.push({
          label: setting.label,
          metrics: {
            seconds: Number(seconds.toFixed(2)),
            syncsPerSecond: Number((SYNCS / seconds).toFixed(1)),
            pageActivitiesPerSecond: Number((pages / seconds).toFixed(0)),
            workerCpuMsPerSync: Number(((cpu.user + cpu.system) / 1000 / SYNCS).toFixed(2)),
          },
        });
        context.log(`workerTuning: ${setting.label}: ${JSON.stringify(measurements.at(-1)!.metrics)}`);
      }
    } finally {
      await nativeConnection.close();
      await connection.close();
    }
    const base = measurements[0]!.metrics.syncsPerSecond!;
    return {
      measurements,
      ratios: measurements
        .slice(1)
        .map((measurement) => ({ name: `${measurement.label} / defaults (syncs/s)`, value: measurement.metrics.syncsPerSecond! / base })),
      notes: ['CPU is the bench process (worker and its Temporal client); the dev server runs in its own process.'],
    };
  },
};
