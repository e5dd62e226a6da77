import { ensureBillingSchedule } from '../platform/billing/billingSchedule';
import { appDatabaseUrl, createDatabase } from '../platform/db';
import { loadConfig } from '../platform/config';
import { ensureFileExpirySchedule } from '../platform/files/fileExpirySchedule';
import { createLogger } from '../platform/logger';
import { onParentExit } from '../platform/local/parentWatch';
import { assertProductionSecrets } from '../platform/productionSecrets';
import { runMain } from '../platform/runMain';
import { connectTemporalClient, connectWorkerConnection } from '../platform/temporal/connection';
import { registerSearchAttributes } from '../platform/temporal/registerSearchAttributes';
import { masterKeyringFromConfig } from '../platform/vault/masterKeys';
import { createMetrics } from '../platform/metrics';
import { startWebhookDispatchNudger } from '../platform/webhooks/dispatchNudger';
import { serveWorkerMetrics } from '../platform/temporal/workerMetricsServer';
import { createHubWorker, installTemporalRuntime } from './worker';

/** `npm run worker`: polls the task queues of $WORKER_TASK_QUEUES until SIGINT/SIGTERM, then drains and exits. */
runMain('worker', async () => {
  const config = loadConfig();
  assertProductionSecrets(config, 'worker');
  const logger = createLogger({ name: 'worker', level: config.LOG_LEVEL });
  if (config.HUB_EXIT_WITH_PARENT) onParentExit(() => process.kill(process.pid, 'SIGTERM'));
  installTemporalRuntime(logger);
  const db = createDatabase({ url: appDatabaseUrl(config), poolMax: config.DATABASE_POOL_MAX, applicationName: 'hub-worker', logger });
  masterKeyringFromConfig(config); // refuse to start without HUB_MASTER_KEY, before connecting anywhere else
  await db.ping(5_000);

  // Self-hosted clusters get the search attributes registered here; Temporal Cloud configures them
  // itself. Monthly billing and file expiry run from Temporal Schedules, created (or brought up to date) here too.
  const { client, connection: clientConnection } = await connectTemporalClient(config);
  try {
    try {
      const added = await registerSearchAttributes(clientConnection, config.TEMPORAL_NAMESPACE);
      if (added.length > 0) logger.info({ added }, 'registered search attributes');
    } catch (error) {
      logger.warn({ err: error }, 'could not register search attributes (register TenantId, TenantSlug, JobKind, ConnectorType, ConnectorId as Keyword)');
    }
    if (config.BILLING_SCHEDULE_ENABLED && config.STRIPE_SECRET_KEY) {
      await ensureBillingSchedule(client, config, logger).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not create or update the monthly billing schedule'),
      );
    } else if (config.BILLING_SCHEDULE_ENABLED) {
      logger.info('monthly billing schedule not created: STRIPE_SECRET_KEY is not set');
    }
    await ensureFileExpirySchedule(client, config, logger).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not create or update the file expiry schedule'),
    );
  } finally {
    await clientConnection.close();
  }

  const connection = await connectWorkerConnection(config);
  const metrics = createMetrics();
  const worker = await createHubWorker({ config, connection, db, logger, metrics });
  const metricsServer = config.WORKER_METRICS_PORT === undefined ? undefined : await serveWorkerMetrics(metrics, config.WORKER_METRICS_PORT, config.HOST);
  if (metricsServer) logger.info({ url: metricsServer.url }, 'worker metrics listening');
  const nudger = startWebhookDispatchNudger({ config, url: appDatabaseUrl(config), connection, logger });
  logger.info({ taskQueues: worker.taskQueues, namespace: config.TEMPORAL_NAMESPACE }, 'worker started');
  await worker.run();
  await nudger.stop();
  await metricsServer?.close();
  await connection.close();
  await db.close();
  logger.info('worker stopped');
});
