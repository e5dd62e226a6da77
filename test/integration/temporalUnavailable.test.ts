import { startScanPeer } from '../peers/scan/scanPeer';
import { registerScanConnector } from '../support/connectorFactories';
import { startDedicatedTemporal } from '../support/dedicatedServices';
import { type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { startWorkerProcess } from '../support/workerProcess';

/**
 * Routes that start workflows while Temporal goes away: a dedicated dev server (the run's shared
 * one keeps serving every other file) is stopped in the middle of a request, after the job row is
 * recorded and before the workflow start reaches Temporal. The API answers 503
 * WORKFLOW_ENGINE_UNAVAILABLE with Retry-After and leaves no job, sync run or billing run waiting
 * for a workflow that does not exist; once Temporal is back, the same requests succeed.
 */
describe('Temporal unavailable', () => {
  const peer = useStarted(() => startScanPeer({ port: 0, apiKey: 'scan-key' }));
  const temporal = useStarted(() => startDedicatedTemporal(), 'the dedicated Temporal dev server');
  const { hub, owner } = useHub({ worker: false, env: () => ({ TEMPORAL_ADDRESS: temporal.address }) });
  let tenant: CreatedTenant;
  let connectorId: string;

  beforeAll(async () => {
    // Onboarding is a workflow: a worker runs while the tenant is created, then goes (it would only retry against a dead server).
    const worker = await startWorkerProcess(hub);
    try {
      tenant = await hub.createTenant();
    } finally {
      await worker.stop();
    }
    connectorId = await registerScanConnector(hub, tenant, peer, { apiKey: 'scan-key' });
  });

  const activeJobs = async () => owner('jobs').where({ tenant_id: tenant.id }).whereIn('status', ['queued', 'running', 'paused']).select('id', 'kind');
  const activeSyncRuns = async () => owner('sync_runs').where({ tenant_id: tenant.id }).whereIn('status', ['queued', 'running']).select('id');

  function expectUnavailable(response: { status: number; headers: Headers; body: { error?: { code?: string } } }) {
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 503, code: 'WORKFLOW_ENGINE_UNAVAILABLE' });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  }

  it('a job start during which Temporal stops answers 503 and leaves the job failed, not queued', async () => {
    // The app's client is this one: its next start first stops the server (the job row is recorded by then).
    const workflows = hub.temporal.workflow;
    const start = workflows.start.bind(workflows);
    let stoppedMidRequest = false;
    workflows.start = (async (...args: Parameters<typeof start>) => {
      workflows.start = start;
      await temporal.stop();
      stoppedMidRequest = true;
      return start(...args);
    }) as typeof start;

    const response = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } });
    expect(stoppedMidRequest).toBe(true);
    expectUnavailable(response);
    expect(await activeJobs()).toEqual([]);
    const [job] = await owner('jobs').where({ tenant_id: tenant.id, kind: 'export' });
    expect(job).toMatchObject({ status: 'failed', error: { code: 'WORKFLOW_ENGINE_UNAVAILABLE' } });
    expect(job.finished_at).not.toBeNull();
    // Reads need no Temporal: the job answers from the database.
    const read = await hub.request('GET', `/v1/jobs/${job.id}`, { key: tenant.key });
    expect(read.status).toBe(200);
    expect(read.body.job).toMatchObject({ status: 'failed', error: { code: 'WORKFLOW_ENGINE_UNAVAILABLE' } });
  });

  it('a sync start answers 503 and does not hold the connector', async () => {
    expectUnavailable(await hub.request('POST', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key, body: {} }));
    expect(await activeSyncRuns()).toEqual([]);
    expect(await activeJobs()).toEqual([]);
  });

  it('a billing run start answers 503 and leaves the run failed, not queued', async () => {
    const before = new Date();
    expectUnavailable(await hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period: '2026-01', tenants: [tenant.slug] } }));
    // Other files bill too: this run is the one for this tenant alone.
    const runs = (await owner('billing_runs').where('created_at', '>=', before).select('status', 'error', 'tenants')).filter(
      (run) => JSON.stringify(run.tenants) === JSON.stringify([tenant.slug]),
    );
    expect(runs).toEqual([{ status: 'failed', error: expect.objectContaining({ code: 'WORKFLOW_ENGINE_UNAVAILABLE' }), tenants: [tenant.slug] }]);
  });

  it('once Temporal is back, the same starts succeed (nothing left behind blocks them)', async () => {
    await temporal.restart();
    const sync = await hub.request('POST', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key, body: {} });
    expect(sync.status).toBe(202);
    const job = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } });
    expect(job.status).toBe(202);
  });
});
