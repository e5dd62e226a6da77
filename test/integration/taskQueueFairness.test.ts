import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { HubActivities } from '../../activities';
import { loadConfig } from '../../platform/config';
import { taskQueueOf, workflowRouting } from '../../platform/temporal/taskQueues';
import { workerTuning } from '../../worker/worker';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import type { connectorSync } from '../../workflows/connectorSync';
import { type ConnectorSyncInput } from '../../workflows/sync/syncState';
import { uniqueSuffix } from '../support/hub';

/**
 * Task-queue fairness per tenant on the test Temporal server (started with fairness on, as
 * platform/local/temporalDevServer.ts does): one tenant's fifty queued syncs and then another
 * tenant's one wait on the sync queue while no worker polls it; a worker that takes one task at a
 * time then claims the second tenant's sync among the first few, not after the fifty. Positions,
 * not times: the claim order is what a sync waits for.
 */
describe('task-queue fairness', () => {
  const address = process.env.TEMPORAL_ADDRESS;
  const codePath = process.env.HUB_TEST_WORKFLOW_BUNDLE;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    if (!address || !codePath) throw new Error('TEMPORAL_ADDRESS / HUB_TEST_WORKFLOW_BUNDLE are not set: run through jest (globalSetup)');
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // The runtime of this test process was installed already.
    }
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace: 'default' });
  });
  afterAll(async () => {
    await connection?.close();
  });

  const syncInput = (tenantId: string): ConnectorSyncInput => ({
    jobId: randomUUID(),
    tenantId,
    tenantSlug: `t-${tenantId.slice(0, 8)}`,
    kind: 'sync',
    params: { connectorId: randomUUID(), mode: 'incremental', streams: null },
    requestedBy: 'test',
    trigger: 'api',
  });

  it("dispatches another tenant's single sync within the first few of one tenant's 50 queued syncs", async () => {
    const config = loadConfig({
      TEMPORAL_TASK_QUEUE: `fair-${uniqueSuffix()}`,
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '2',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '1',
    });
    const busy = randomUUID();
    const quiet = randomUUID();
    const start = (tenantId: string, name: string) =>
      client.workflow.start<typeof connectorSync>(WORKFLOW_TYPES.connectorSync, {
        workflowId: `fairness/${name}/${randomUUID()}`,
        args: [syncInput(tenantId)],
        ...workflowRouting(config, WORKFLOW_TYPES.connectorSync, tenantId),
      });
    const handles: WorkflowHandle[] = [];
    for (let index = 0; index < 50; index += 1) handles.push(await start(busy, `busy-${index}`));
    handles.push(await start(quiet, 'quiet'));
    expect(workflowRouting(config, WORKFLOW_TYPES.connectorSync, quiet)).toEqual({
      taskQueue: `${config.TEMPORAL_TASK_QUEUE}-sync`,
      priority: { fairnessKey: quiet },
    });

    // The first activity of a sync claims its run: the order of claims is the order syncs got going.
    const claims: string[] = [];
    const activities: Partial<HubActivities> = {
      claimSyncRun: async (input) => {
        claims.push(input.tenantId);
        return { claimed: false, reason: 'SYNC_ALREADY_RUNNING', message: 'fairness probe' };
      },
    };
    const workerConnection = await NativeConnection.connect({ address: address! });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace: 'default',
        taskQueue: taskQueueOf(config, 'sync'),
        workflowBundle: { codePath: codePath! },
        activities,
        ...workerTuning(config),
      });
      await worker.runUntil(Promise.all(handles.map((handle) => handle.result())));
    } finally {
      await workerConnection.close();
    }

    expect(claims).toHaveLength(51);
    expect(claims.filter((tenantId) => tenantId === busy)).toHaveLength(50);
    // FIFO would put it 51st; fair dispatch alternates between the two tenants' backlogs.
    expect(claims.indexOf(quiet)).toBeGreaterThanOrEqual(0);
    expect(claims.indexOf(quiet)).toBeLessThan(5);
  });
});
