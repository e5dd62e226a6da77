import { startScanPeer } from '../peers/scan/scanPeer';
import { registerScanConnector } from '../support/connectorFactories';
import { type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { finishedJob, startJobVia, uploadFile } from '../support/jobs';
import { eventually } from '../support/eventually';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

/**
 * A batch scan survives its worker being SIGKILLed mid-run: a second worker finishes it with exact
 * counts, every item billed once, and no item sent to the provider twice (retried chunks replay
 * their batches under the same idempotency keys).
 */
describe('jobs: batch_scan, worker killed mid-run', () => {
  const peer = useStarted(() => startScanPeer({ port: 0 }));
  const { hub, owner } = useHub({ worker: false });
  let worker: WorkerProcess | undefined;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    worker = await startWorkerProcess(hub);
    // After the worker: onboarding a tenant runs a workflow.
    tenant = await hub.createTenant();
    await registerScanConnector(hub, tenant, peer, { batchSize: 50 });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('ends with exact counts, billed once per item, nothing scanned twice', async () => {
    peer.failItem = (item) => Number(item.id.split('-')[1]) % 100 === 0;
    // Slow provider answers keep chunks in flight when the worker dies.
    peer.faults.add({ match: /POST \/v1\/scans/, fault: { kind: 'latency', delayMs: 60 }, times: Infinity });
    const lines = ['id,medication,patientRef'];
    for (let n = 1; n <= 3_000; n += 1) lines.push(`k-${n},Drug ${n % 50},Patient/${n % 20}`);
    const uploadId = await uploadFile(hub, tenant, { name: 'items.csv', contentType: 'text/csv', body: lines.join('\n') });
    const started = await startJobVia(hub, tenant, 'batch_scan', { uploadId, itemsPerChunk: 100, concurrency: 3 });

    await eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${started.id}`, { key: tenant.key });
        return response.body.job.progress?.done >= 600 ? true : undefined;
      },
      90_000,
      'a fifth of the items to be scanned',
    );
    await worker!.kill();
    const killedAt = (await hub.request('GET', `/v1/jobs/${started.id}`, { key: tenant.key })).body.job;
    expect(killedAt.status).toBe('running');
    // No worker answers the progress query now; the result rows say how far it got.
    const pending = await owner('scan_items').where({ tenant_id: tenant.id, job_id: started.id, status: 'pending' }).count('* as count').first();
    expect(Number(pending!.count)).toBeGreaterThan(0);
    worker = await startWorkerProcess(hub);

    const job = await finishedJob(hub, tenant, started.id, 180_000);
    expect(job.status).toBe('completed_with_errors');
    expect(job.result).toMatchObject({ total: 3_000, succeeded: 2_970, failed: 30 });
    const statuses = await owner('scan_items')
      .where({ tenant_id: tenant.id, job_id: job.id })
      .select('status')
      .count('* as count')
      .groupBy('status')
      .orderBy('status');
    expect(statuses).toEqual([
      { status: 'error', count: '30' },
      { status: 'ok', count: '2970' },
    ]);
    const billed = await owner('usage_events').where({ tenant_id: tenant.id, kind: 'scan' }).sum('quantity as total').first();
    expect(Number(billed!.total)).toBe(2_970);
    // 2,970 items scanned once; the 30 failing ones tried 3 times each.
    expect(peer.scannedItems()).toBe(2_970 + 30 * 3);
  }, 180_000);
});
