import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { appDatabaseUrl, createDatabase } from '../platform/db';
import { loadConfig } from '../platform/config';
import { createFileStore } from '../platform/files/createFileStore';
import { createLogger } from '../platform/logger';
import { createMetrics, metricsPeerAt } from '../platform/metrics';
import { onParentExit } from '../platform/local/parentWatch';
import { assertProductionSecrets } from '../platform/productionSecrets';
import { runMain } from '../platform/runMain';
import { connectTemporalClient } from '../platform/temporal/connection';
import { masterKeyringFromConfig } from '../platform/vault/masterKeys';
import { createVault } from '../platform/vault/vault';
import { createApp } from './app';
import { createControlPlane } from './controlPlane';

/** `npm run api`: serves the HTTP API until SIGINT/SIGTERM, then drains requests and closes connections. */
runMain('api', async () => {
  const config = loadConfig();
  assertProductionSecrets(config, 'api');
  if (!config.HUB_ADMIN_TOKEN) throw new Error('HUB_ADMIN_TOKEN is not set (npm start generates one; configured deployments must set it)');
  const vault = createVault(masterKeyringFromConfig(config));
  const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });
  if (config.HUB_EXIT_WITH_PARENT) onParentExit(() => process.kill(process.pid, 'SIGTERM'));
  const db = createDatabase({ url: appDatabaseUrl(config), poolMax: config.DATABASE_POOL_MAX, applicationName: 'hub-api', logger });
  await db.ping(5_000);
  const { client, connection } = await connectTemporalClient(config);
  const metrics = createMetrics();
  // Under npm start the worker runs beside us: one /metrics serves both processes' series.
  if (config.HUB_EXIT_WITH_PARENT && config.WORKER_METRICS_PORT !== undefined)
    metrics.peers.push(metricsPeerAt(`http://127.0.0.1:${config.WORKER_METRICS_PORT}/metrics.json`));
  const controlPlane = createControlPlane({ config, db, logger, metrics });
  await controlPlane.start();
  const app = createApp({ config, db, temporal: client, logger, metrics, controlPlane, files: createFileStore(config), vault });

  const server = app.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ url: config.PUBLIC_URL ?? `http://localhost:${port}` }, 'api listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping: draining requests');
    const forced = setTimeout(() => server.closeAllConnections(), 10_000).unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(forced);
    // Requests are done: write the buffered usage events before the pool closes.
    await controlPlane.stop();
    await connection.close();
    await db.close();
    logger.info('api stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
});
