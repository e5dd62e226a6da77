import { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  MetricsBuffer,
  Runtime,
  Worker,
  type LogLevel,
  type NativeConnection,
  type WorkerOptions,
} from '@temporalio/worker';
import fs from 'node:fs';
import { createActivities } from '../activities';
import { durationMs, type HubConfig } from '../platform/config';
import { type Database } from '../platform/db';
import { createFileStore } from '../platform/files/createFileStore';
import { type FileStore } from '../platform/files/fileStore';
import { type Logger } from '../platform/logger';
import { createMetrics, type HubMetrics } from '../platform/metrics';
import { masterKeyringFromConfig } from '../platform/vault/masterKeys';
import { createVault } from '../platform/vault/vault';
import { permanentDatabaseErrors } from '../platform/temporal/activityErrors';
import { activityLogContext } from '../platform/temporal/activityLogContext';
import { hubDataConverter } from '../platform/temporal/payloadEncryption';
import { setTemporalMetricsSource } from '../platform/temporal/temporalMetrics';
import { polledWorkKinds, taskQueueOf } from '../platform/temporal/taskQueues';

export interface HubWorkerOptions {
  config: HubConfig;
  connection: NativeConnection;
  db: Database;
  logger: Logger;
  /** The file store (default: from config). */
  files?: FileStore;
  /** A prebuilt workflow bundle (tests build one per run); default: $TEMPORAL_WORKFLOW_BUNDLE, else the worker bundles workflows/. */
  workflowBundle?: { code: string };
  /** The process's metrics registry (default: a new one). */
  metrics?: HubMetrics;
}

let runtimeInstalled = false;

/**
 * Installs the Temporal SDK runtime once per process: its logs (SDK, workflow `log`, activity
 * context loggers) go to the process logger with `workflowId`, `runId`, `workflowType`,
 * `activityType` as fields, and its worker metrics are buffered and bridged into every hub
 * metrics registry of the process (`temporal_*` series on /metrics).
 */
export function installTemporalRuntime(logger: Logger, level: LogLevel = 'WARN'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const buffer = new MetricsBuffer({ maxBufferSize: 50_000, useSecondsForDurations: true });
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      const method = entryLevel === 'ERROR' ? 'error' : entryLevel === 'WARN' ? 'warn' : entryLevel === 'INFO' ? 'info' : 'debug';
      logger[method](temporalLogFields(meta), message);
    }),
    telemetryOptions: { metrics: { buffer, metricPrefix: 'temporal_' } },
  });
  setTemporalMetricsSource(buffer);
}

/** @deprecated Use {@link installTemporalRuntime} (same function: logging and metrics). */
export const installTemporalRuntimeLogging = installTemporalRuntime;

/** The SDK's log meta as flat, searchable fields (the rest stays under `temporal`). */
function temporalLogFields(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const { workflowId, runId, workflowRunId, workflowType, activityType, activityId, taskQueue, ...rest } = meta as Record<string, unknown>;
  return {
    ...(workflowId ? { workflowId } : {}),
    ...(runId || workflowRunId ? { runId: runId ?? workflowRunId } : {}),
    ...(workflowType ? { workflowType } : {}),
    ...(activityType ? { activityType } : {}),
    ...(activityId ? { activityId } : {}),
    ...(taskQueue ? { taskQueue } : {}),
    ...(Object.keys(rest).length > 0 ? { temporal: rest } : {}),
  };
}

/**
 * The hub's worker: one Temporal `Worker` per polled task queue ($WORKER_TASK_QUEUES, all by
 * default), sharing the connection, the activities and the workflow bundle. Every queue's worker
 * registers every workflow and activity, so where a workflow runs is decided only by the queue it
 * was started on (platform/temporal/taskQueues.ts), and each queue keeps its own slots: a full
 * `bulk` queue does not take the `sync` queue's activity slots.
 */
export interface HubWorker {
  /** The task queues polled, in the order of `WORK_KINDS`. */
  readonly taskQueues: readonly string[];
  /** The SDK workers, one per queue. */
  readonly workers: readonly Worker[];
  /** Runs until {@link HubWorker.shutdown} (or a signal) and every queue's worker has drained; a worker that fails stops the others. */
  run(): Promise<void>;
  shutdown(): void;
}

/** The SDK tuning the worker config sets (unset keys keep the SDK defaults). */
export function workerTuning(
  config: Pick<HubConfig, 'WORKER_MAX_CONCURRENT_ACTIVITIES' | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'WORKER_STICKY_CACHE_SIZE'>,
): Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'> {
  return {
    ...(config.WORKER_MAX_CONCURRENT_ACTIVITIES !== undefined ? { maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES } : {}),
    ...(config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined ? { maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS } : {}),
    ...(config.WORKER_STICKY_CACHE_SIZE !== undefined ? { maxCachedWorkflows: config.WORKER_STICKY_CACHE_SIZE } : {}),
  };
}

/** Creates the worker that runs the hub's workflows and activities on the task queues $WORKER_TASK_QUEUES names. */
export async function createHubWorker(options: HubWorkerOptions): Promise<HubWorker> {
  const { config, connection, db, logger } = options;
  const keyring = masterKeyringFromConfig(config);
  const vault = createVault(keyring);
  // Payloads are encrypted on their way to Temporal and decrypted on their way back (outside the
  // workflow sandbox): the worker and the client its activities use share one converter.
  const dataConverter = hubDataConverter(keyring);
  // Activities that start workflows (the webhook dispatcher) use the worker's own connection.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  // One bundle for every queue's worker: bundling workflows/ is seconds of CPU and megabytes of memory.
  const workflowBundle =
    options.workflowBundle ??
    (config.TEMPORAL_WORKFLOW_BUNDLE
      ? { code: fs.readFileSync(config.TEMPORAL_WORKFLOW_BUNDLE, 'utf8') }
      : await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') }));
  const activities = createActivities({
    config,
    db,
    logger,
    vault,
    files: options.files ?? createFileStore(config),
    metrics: options.metrics ?? createMetrics({ defaultMetrics: false }),
    temporal,
  });
  const taskQueues = polledWorkKinds(config).map((kind) => taskQueueOf(config, kind));
  const workers = await Promise.all(
    taskQueues.map((taskQueue) =>
      Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue,
        dataConverter,
        workflowBundle,
        activities,
        interceptors: { activity: [activityLogContext, permanentDatabaseErrors] },
        ...workerTuning(config),
        // On SIGINT/SIGTERM the SDK runtime stops polling and lets running activities finish this long.
        shutdownGraceTime: durationMs(config.WORKER_SHUTDOWN_GRACE),
      }),
    ),
  );
  const shutdownAll = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    taskQueues,
    workers,
    async run() {
      const outcomes = await Promise.allSettled(
        workers.map((worker) =>
          worker.run().catch((error: unknown) => {
            shutdownAll();
            throw error;
          }),
        ),
      );
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown: shutdownAll,
  };
}
