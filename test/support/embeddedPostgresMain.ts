import { startEmbeddedPostgres } from '../../platform/local/embeddedPostgres';
import { onParentExit } from '../../platform/local/parentWatch';
import { runMain } from '../../platform/runMain';

/**
 * Entry point that runs one embedded Postgres cluster (HUB_TEST_PG_DIR, HUB_TEST_PG_PORT,
 * HUB_TEST_PG_PASSWORD) until SIGTERM or until its parent dies, printing `POSTGRES_READY <url>`
 * once it accepts connections. The package is an ES module jest cannot load, so tests that stop
 * and restart a cluster of their own run it through this process (test/support/dedicatedServices.ts).
 */
runMain('postgres', async () => {
  const cluster = await startEmbeddedPostgres({
    directory: process.env.HUB_TEST_PG_DIR!,
    port: Number(process.env.HUB_TEST_PG_PORT),
    password: process.env.HUB_TEST_PG_PASSWORD!,
    ephemeral: true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  onParentExit(() => void stop());
  process.stdout.write(`POSTGRES_READY ${cluster.url}\n`);
});
