import { DefaultLogger, Runtime, Worker, type LogLevel, type NativeConnection } from '@temporalio/worker';
import fs from 'node:fs';
import { createActivities } from '../../activities';
import { durationMs, type HubConfig } from '../config';
import { type Database } from '../db';
import { createFileStore } from '../files/createFileStore';
import { type FileStore } from '../files/fileStore';
import { type Logger } from '../logger';
import { masterKeyringFromConfig } from '../vault/masterKeys';
import { createVault } from '../vault/vault';
import { permanentDatabaseErrors } from './activityErrors';

export interface HubWorkerOptions {
  config: HubConfig;
  connection: NativeConnection;
  db: Database;
  logger: Logger;
  /** The file store (default: from config). */
  files?: FileStore;
  /** A prebuilt workflow bundle (tests build one per run); default: $TEMPORAL_WORKFLOW_BUNDLE, else the worker bundles workflows/. */
  workflowBundle?: { code: string };
}

let runtimeInstalled = false;

/** Routes the Temporal SDK's own logs into the process logger (once per process). */
export function installTemporalRuntimeLogging(logger: Logger, level: LogLevel = 'WARN'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      const method = entryLevel === 'ERROR' ? 'error' : entryLevel === 'WARN' ? 'warn' : entryLevel === 'INFO' ? 'info' : 'debug';
      logger[method]({ temporal: meta }, message);
    }),
  });
}

/** Creates the worker that runs every hub workflow and activity on $TEMPORAL_TASK_QUEUE. */
export async function createHubWorker(options: HubWorkerOptions): Promise<Worker> {
  const { config, connection, db, logger } = options;
  const vault = createVault(masterKeyringFromConfig(config));
  const workflowBundle = options.workflowBundle ?? (config.TEMPORAL_WORKFLOW_BUNDLE ? { code: fs.readFileSync(config.TEMPORAL_WORKFLOW_BUNDLE, 'utf8') } : undefined);
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../../workflows') }),
    activities: createActivities({ config, db, logger, vault, files: options.files ?? createFileStore(config) }),
    interceptors: { activity: [permanentDatabaseErrors] },
    // On SIGINT/SIGTERM the SDK runtime stops polling and lets running activities finish this long.
    shutdownGraceTime: durationMs(config.WORKER_SHUTDOWN_GRACE),
  });
}
