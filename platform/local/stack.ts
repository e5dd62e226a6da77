import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type HubConfig } from '../config';
import { migrateToLatest } from '../migrations/migrator';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embeddedPostgres';
import { dataDir } from './paths';
import { freePort } from './ports';
import { loadLocalSecrets } from './secrets';
import { ensureTemporalCli } from './temporalCli';
import { startTemporalDevServer, type TemporalDevServerHandle } from './temporalDevServer';

export interface LocalStackOptions {
  config: HubConfig;
  /**
   * `persistent` (npm start): data under $HUB_DATA_DIR, fixed ports, Web UI.
   * `ephemeral` (npm test): a throwaway directory, free ports, no UI, in-memory Temporal.
   */
  profile: 'persistent' | 'ephemeral';
  log: (line: string) => void;
}

export interface LocalStack {
  /** Variables to hand to the API and worker processes (only what the stack decided). */
  env: Record<string, string>;
  /** Owner connection, for migrations. */
  ownerDatabaseUrl: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  dataDirectory: string;
  /** What was started here (as opposed to configured). */
  started: { postgres: boolean; temporal: boolean };
  stop(): Promise<void>;
}

/**
 * Brings up whatever the configuration does not point at: an embedded Postgres when DATABASE_URL
 * is unset, a Temporal CLI dev server when TEMPORAL_ADDRESS is unset; then migrates. `npm start`
 * and the test setup both use it, so tests run on exactly what users run.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { config, log } = options;
  const ephemeral = options.profile === 'ephemeral';
  const directory = ephemeral ? fs.mkdtempSync(path.join(os.tmpdir(), 'hub-stack-')) : dataDir(config.HUB_DATA_DIR);
  fs.mkdirSync(directory, { recursive: true });
  // When we run as root, Postgres runs as the `postgres` user and must be able to reach its data dir.
  fs.chmodSync(directory, 0o755);
  const secrets = loadLocalSecrets(directory);
  // Throwaway stacks keep their files (uploads, exports) in their own directory too.
  const env: Record<string, string> = ephemeral ? { HUB_DATA_DIR: directory } : {};
  const stops: Array<() => Promise<void>> = [];

  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => log(`stop failed: ${(error as Error).message}`));
    }
    if (ephemeral) fs.rmSync(directory, { recursive: true, force: true });
  };

  try {
    let postgres: EmbeddedPostgresHandle | undefined;
    let ownerDatabaseUrl = config.DATABASE_URL;
    if (!ownerDatabaseUrl) {
      const port = ephemeral ? await freePort() : config.HUB_PG_PORT;
      postgres = await startEmbeddedPostgres({
        directory: path.join(directory, 'pg'),
        port,
        password: secrets.postgresPassword,
        ephemeral,
        log,
      });
      stops.push(() => postgres!.stop());
      ownerDatabaseUrl = postgres.url;
      env.DATABASE_URL = postgres.url;
      log(`postgres: embedded cluster on 127.0.0.1:${port} (data in ${path.join(directory, 'pg')})`);
    }
    const appPassword = config.DATABASE_APP_PASSWORD ?? (postgres ? secrets.appDbPassword : undefined);
    if (appPassword && !config.DATABASE_APP_PASSWORD) env.DATABASE_APP_PASSWORD = appPassword;

    let temporal: TemporalDevServerHandle | undefined;
    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      const cli = await ensureTemporalCli(log);
      const port = ephemeral ? await freePort() : config.TEMPORAL_PORT;
      temporal = await startTemporalDevServer({
        cliPath: cli.path,
        port,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: ephemeral ? undefined : path.join(directory, 'temporal.db'),
        headless: ephemeral,
        logFile: path.join(directory, 'temporal.log'),
        log,
      });
      stops.push(() => temporal!.stop());
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl;
      env.TEMPORAL_ADDRESS = temporal.address;
      if (temporalUiUrl) env.TEMPORAL_UI_URL = temporalUiUrl;
      log(`temporal: dev server on ${temporal.address}${ephemeral ? ' (in memory)' : `, history in ${path.join(directory, 'temporal.db')}`}`);
    }

    if (!config.HUB_ADMIN_TOKEN) env.HUB_ADMIN_TOKEN = secrets.adminToken;
    if (!config.HUB_MASTER_KEY) env.HUB_MASTER_KEY = secrets.masterKey;

    const { applied } = await migrateToLatest({ ownerUrl: ownerDatabaseUrl, appPassword, log: (line) => log(`postgres: ${line}`) });
    if (applied.length === 0) log('postgres: schema is up to date');

    return {
      env,
      ownerDatabaseUrl,
      temporalAddress,
      temporalUiUrl,
      dataDirectory: directory,
      started: { postgres: postgres !== undefined, temporal: temporal !== undefined },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
