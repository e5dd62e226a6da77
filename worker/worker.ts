import { Client } from '@temporalio/client';
import { DefaultLogger, MetricsBuffer, Runtime, Worker, type LogLevel, type NativeConnection } from '@temporalio/worker';
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

/** Creates the worker that runs every hub workflow and activity on $TEMPORAL_TASK_QUEUE. */
export async function createHubWorker(options: HubWorkerOptions): Promise<Worker> {
  const { config, connection, db, logger } = options;
  const keyring = masterKeyringFromConfig(config);
  const vault = createVault(keyring);
  // Payloads are encrypted on their way to Temporal and decrypted on their way back (outside the
  // workflow sandbox): the worker and the client its activities use share one converter.
  const dataConverter = hubDataConverter(keyring);
  // Activities that start workflows (the webhook dispatcher) use the worker's own connection.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const workflowBundle =
    options.workflowBundle ?? (config.TEMPORAL_WORKFLOW_BUNDLE ? { code: fs.readFileSync(config.TEMPORAL_WORKFLOW_BUNDLE, 'utf8') } : undefined);
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({
      config,
      db,
      logger,
      vault,
      files: options.files ?? createFileStore(config),
      metrics: options.metrics ?? createMetrics({ defaultMetrics: false }),
      temporal,
    }),
    interceptors: { activity: [activityLogContext, permanentDatabaseErrors] },
    // On SIGINT/SIGTERM the SDK runtime stops polling and lets running activities finish this long.
    shutdownGraceTime: durationMs(config.WORKER_SHUTDOWN_GRACE),
  });
}
