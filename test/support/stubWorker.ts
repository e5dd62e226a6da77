import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { HubActivities } from '../../activities';
import { uniqueSuffix } from './hub';

/** Activities a workflow test stands in for (any subset of the hub's). */
export type StubActivities = Partial<{ [Name in keyof HubActivities]: (...args: Parameters<HubActivities[Name]>) => Promise<unknown> }>;

/** One activity call a stub saw, in the order they came. */
export interface StubCall {
  name: string;
  input: unknown;
}

/**
 * Runs `test` while a worker with the run's bundled workflows (the real workflow code) and the
 * given stub activities polls a task queue of its own on the test Temporal server. Every stub
 * call is recorded in `calls`, so a test asserts what the workflow asked for and in which order.
 */
export async function withStubWorker<T>(
  stubs: StubActivities,
  test: (context: { client: Client; taskQueue: string; calls: StubCall[] }) => Promise<T>,
): Promise<T> {
  const address = process.env.TEMPORAL_ADDRESS;
  const codePath = process.env.HUB_TEST_WORKFLOW_BUNDLE;
  if (!address || !codePath) throw new Error('TEMPORAL_ADDRESS / HUB_TEST_WORKFLOW_BUNDLE are not set: run through jest (globalSetup)');
  quietRuntime();
  const taskQueue = `stub-${uniqueSuffix()}`;
  const calls: StubCall[] = [];
  const activities = Object.fromEntries(
    Object.entries(stubs).map(([name, stub]) => [
      name,
      async (input: unknown) => {
        calls.push({ name, input });
        return (stub as (input: unknown) => Promise<unknown>)(input);
      },
    ]),
  );
  const workerConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const worker = await Worker.create({ connection: workerConnection, namespace: 'default', taskQueue, workflowBundle: { codePath }, activities });
    const client = new Client({ connection, namespace: 'default' });
    return await worker.runUntil(test({ client, taskQueue, calls }));
  } finally {
    await connection.close();
    await workerConnection.close();
  }
}

let runtimeInstalled = false;
/** Worker logs only on errors (a stub's planned failures are not news). */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Another helper of this test process installed the runtime first.
  }
}

/** The names of the calls, in order (what most assertions compare). */
export const callNames = (calls: StubCall[]) => calls.map((call) => call.name);
