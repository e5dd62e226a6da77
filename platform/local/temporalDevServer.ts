import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { reclaimOrphan } from './orphans';
import { isPortInUse } from './ports';
import { registerSearchAttributes } from '../temporal/registerSearchAttributes';
import { devServerSearchAttributeFlags } from '../temporal/searchAttributes';

/**
 * Dynamic config that turns on task-queue fairness keys (and the matcher they need) on every queue.
 * One partition per queue: fairness orders each partition's backlog on its own, so with the default
 * four a tenant's tasks in an idle partition could overtake (production clusters size this per queue).
 */
export const FAIRNESS_DYNAMIC_CONFIG = [
  'matching.useNewMatcher=true',
  'matching.enableFairness=true',
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
];

export interface TemporalDevServerOptions {
  cliPath: string;
  port: number;
  uiPort: number;
  /** SQLite file for persistence; undefined keeps everything in memory (tests). */
  dbFile?: string;
  /** No Web UI (tests). */
  headless: boolean;
  /** Server log file. */
  logFile: string;
  log: (line: string) => void;
}

export interface TemporalDevServerHandle {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with the hub's search attributes and waits until the default
 * namespace answers. Output goes to `logFile`, not the terminal.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServerHandle> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'warn',
    ...devServerSearchAttributeFlags(),
    // Task-queue fairness (server 1.29+): the backlog is dispatched round-robin across the tenants'
    // fairness keys (platform/temporal/taskQueues.ts). A production cluster turns on the same keys.
    ...FAIRNESS_DYNAMIC_CONFIG.flatMap((entry) => ['--dynamic-config-value', entry]),
  ];
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch');

  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const pidFile = `${options.logFile.replace(/\.log$/, '')}.pid`;
  if (fs.existsSync(pidFile)) {
    await reclaimOrphan(Number(fs.readFileSync(pidFile, 'utf8')), 'temporal', 'Temporal dev server', options.log);
  }
  if (await isPortInUse('127.0.0.1', options.port)) {
    throw new Error(`port ${options.port} is taken: set TEMPORAL_PORT to a free port or TEMPORAL_ADDRESS to a running Temporal`);
  }
  const logStream = fs.openSync(options.logFile, 'a');
  // A process group of its own: a terminal's Ctrl-C reaches the hub, which stops Temporal after its clients.
  const child = spawn(options.cliPath, args, { stdio: ['ignore', logStream, logStream], detached: true });
  fs.closeSync(logStream);
  if (child.pid) fs.writeFileSync(pidFile, String(child.pid));

  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const address = `127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(address, () => exited, options.logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  return {
    address,
    uiUrl: options.headless ? undefined : `http://localhost:${options.uiPort}`,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
      fs.rmSync(pidFile, { force: true });
    },
  };
}

async function waitUntilServing(address: string, hasExited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`temporal dev server exited during start: ${tail(logFile)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        // A database persisted by an older run may predate an attribute: add what is missing.
        await registerSearchAttributes(connection, 'default');
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  throw new Error(`temporal dev server did not become ready at ${address}: ${(lastError as Error)?.message ?? 'timeout'}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}
