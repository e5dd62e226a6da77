import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest } from '../../platform/migrations/migrator';
import { freePort } from '../../platform/local/ports';
import { ensureTemporalCli } from '../../platform/local/temporalCli';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../../platform/local/temporalDevServer';
import { exitOf, spawnEntry } from './processes';

const quiet = (line: string) => {
  if (process.env.HUB_TEST_VERBOSE === '1') process.stderr.write(`[dedicated] ${line}\n`);
};

/**
 * A Temporal dev server of one test file's own (in memory, own port), for tests that stop it: the
 * run's shared server stays up for every other file. `restart` starts a fresh one on the same
 * address (an in-memory server comes back empty), which the hub's client reconnects to.
 */
export interface DedicatedTemporal {
  readonly address: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its log; a no-op once stopped. */
  stop(): Promise<void>;
  /** Starts a fresh (empty) server on the same address. */
  restart(): Promise<void>;
}

export async function startDedicatedTemporal(): Promise<DedicatedTemporal> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-temporal-'));
  const cli = await ensureTemporalCli(quiet);
  const port = await freePort();
  const start = () => startTemporalDevServer({ cliPath: cli.path, port, uiPort: 0, headless: true, logFile: path.join(directory, 'temporal.log'), log: quiet });
  let server: TemporalDevServerHandle | undefined = await start();
  const address = server.address;
  const stop = async () => {
    const running = server;
    server = undefined;
    await running?.stop();
    // Only its log lives there (in-memory server); a restart writes a new one.
    fs.rmSync(directory, { recursive: true, force: true });
  };
  return {
    address,
    stop,
    async restart() {
      await stop();
      server = await start();
    },
  };
}

/**
 * An embedded Postgres cluster of one test file's own (own data directory and port), migrated,
 * for tests that stop and restart it: the run's shared cluster stays up for every other file.
 * `ownerUrl` and `appPassword` are what a hub needs (DATABASE_URL, DATABASE_APP_PASSWORD).
 */
export interface DedicatedPostgres {
  readonly ownerUrl: string;
  readonly appPassword: string;
  /** Stops the cluster (a fast shutdown: sessions end with 57P01); a no-op once stopped. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory (after stop). */
  start(): Promise<void>;
  /** Stops it for good and removes its data directory. */
  destroy(): Promise<void>;
}

export async function startDedicatedPostgres(): Promise<DedicatedPostgres> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-pg-'));
  // As root, Postgres runs as the `postgres` user, which must reach its data directory.
  fs.chmodSync(directory, 0o755);
  const port = await freePort();
  const password = `owner-${Math.random().toString(36).slice(2)}`;
  const appPassword = `app-${Math.random().toString(36).slice(2)}`;
  const env = { ...process.env, HUB_TEST_PG_DIR: path.join(directory, 'pg'), HUB_TEST_PG_PORT: String(port), HUB_TEST_PG_PASSWORD: password };

  async function launch(): Promise<{ child: ReturnType<typeof spawnEntry>; url: string }> {
    const child = spawnEntry('test/support/embeddedPostgresMain.ts', env);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ready = /^POSTGRES_READY (\S+)$/m.exec(child.output());
      if (ready) return { child, url: ready[1]! };
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`embedded Postgres exited during start: ${child.output().slice(-2000)}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`embedded Postgres not ready in 120 s: ${child.output().slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  let cluster: Awaited<ReturnType<typeof launch>> | undefined = await launch();
  const ownerUrl = cluster.url;
  await migrateToLatest({ ownerUrl, appPassword, log: quiet });
  const stop = async () => {
    const running = cluster;
    cluster = undefined;
    if (!running) return;
    running.child.kill('SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 30_000);
    await exitOf(running.child);
    clearTimeout(timer);
  };
  return {
    ownerUrl,
    appPassword,
    stop,
    async start() {
      cluster ??= await launch();
    },
    async destroy() {
      await stop();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
