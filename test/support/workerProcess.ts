import { type ChildProcess } from 'node:child_process';
import { type TestHub } from './hub';
import { exitOf, spawnEntry } from './processes';

/** A worker running as its own process (`npm run worker`'s entry point), for crash tests. */
export interface WorkerProcess {
  child: ChildProcess & { output: () => string };
  /** SIGKILL: no graceful shutdown, activities die mid-flight. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

/**
 * Starts `worker/workerMain.ts` as a child process polling the hub's task queue, with
 * the run's prebuilt workflow bundle (TEMPORAL_WORKFLOW_BUNDLE), and waits until it polls.
 */
export async function startWorkerProcess(hub: TestHub, env: Record<string, string> = {}, options: { startTimeoutMs?: number } = {}): Promise<WorkerProcess> {
  const child = spawnEntry('worker/workerMain.ts', {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: hub.config.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: hub.config.TEMPORAL_TASK_QUEUE,
    TEMPORAL_WORKFLOW_BUNDLE: process.env.HUB_TEST_WORKFLOW_BUNDLE ?? '',
    HUB_ALLOW_PRIVATE_NETWORK: 'true',
    SYNC_PAGE_SIZE: String(hub.config.SYNC_PAGE_SIZE),
    SYNC_CONNECTOR_REQUEST_BUDGET: hub.config.SYNC_CONNECTOR_REQUEST_BUDGET,
    HUB_DAILY_BACKUPS: String(hub.config.HUB_DAILY_BACKUPS),
    ...env,
  });
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + startTimeoutMs;
  while (!/worker started/.test(child.output())) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited during start: ${child.output().slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker not started in ${startTimeoutMs / 1000} s: ${child.output().slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    async kill() {
      child.kill('SIGKILL');
      await exitOf(child);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exitOf(child);
      clearTimeout(timer);
    },
  };
}
