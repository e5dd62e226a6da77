import { type FhirPeer, startFhirPeer } from '../peers/fhir/fhirPeer';
import { startScanPeer } from '../peers/scan/scanPeer';
import { registerFhirConnector, registerScanConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';
import { finishedJob, startJobVia, uploadFile } from '../support/jobs';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/recordHistory';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

/** `batch_scan` jobs end to end: upload → staged items → sliding window of chunks → result rows, metering, report. */
describe('jobs: batch_scan', () => {
  const peer = useStarted(() => startScanPeer({ port: 0, apiKey: 'scan-key' }));
  const { hub, tenant, owner } = useHub({ tenants: [{}] });
  let connectorId: string;

  beforeAll(async () => {
    connectorId = await registerScanConnector(hub, tenant, peer, { apiKey: 'scan-key', batchSize: 100 });
  });
  afterEach(() => {
    peer.faults.clear();
    peer.failItem = () => false;
  });

  it('scans 5,000 uploaded items with 1% provider failures: exact counts, per-item rows, retries, metering, report', async () => {
    const lines = ['id,medication,ndc,patientRef'];
    for (let n = 1; n <= 5_000; n += 1)
      lines.push(n % 2 === 0 ? `item-${n},,0002-${String(1000 + (n % 9000)).padStart(4, '0')}-01,` : `item-${n},Metformin ${n % 7} mg,,Patient/${n % 300}`);
    const uploadId = await uploadFile(hub, tenant, { name: 'items.csv', contentType: 'text/csv', body: lines.join('\n') });
    // 1% always fail; items ending in 50 fail once and succeed when retried; one provider outage.
    const seenOnce = new Set<string>();
    peer.failItem = (item) => {
      const n = Number(item.id.split('-')[1]);
      if (n % 100 === 0) return true;
      if (n % 100 === 50 && !seenOnce.has(item.id)) {
        seenOnce.add(item.id);
        return true;
      }
      return false;
    };
    peer.faults.add({ match: /POST \/v1\/scans/, fault: { kind: 'status', status: 503 }, after: 7, times: 2 });

    const started = await startJobVia(hub, tenant, 'batch_scan', { uploadId, itemsPerChunk: 40, concurrency: 4 });
    expect(started.workflowId).toBe(`job/${tenant.slug}/batch_scan/${started.id}`);
    const job = await finishedJob(hub, tenant, started.id, 180_000);
    expect(job.status).toBe('completed_with_errors');
    expect(job.error).toEqual({
      code: 'ITEMS_FAILED',
      message: expect.stringMatching(/^50 of 5000 items failed: item-100: .*PROVIDER_ERROR.*; item-200: .+; item-300: .+; and 47 more$/),
    });
    expect(job.result).toMatchObject({ total: 5_000, succeeded: 4_950, failed: 50 });
    expect(job.progress).toMatchObject({ done: 5_000, total: 5_000 });

    const rows = await owner('scan_items').where({ tenant_id: tenant.id, job_id: job.id }).select('item_id', 'status', 'attempts', 'scan_id');
    expect(rows).toHaveLength(5_000);
    const failed = rows.filter((row) => row.status === 'error');
    expect(failed.map((row) => row.item_id).sort()).toEqual(Array.from({ length: 50 }, (_, index) => `item-${(index + 1) * 100}`).sort());
    expect(failed.every((row) => row.attempts === 3)).toBe(true);
    const retried = rows.filter((row) => Number(row.item_id.split('-')[1]) % 100 === 50);
    expect(retried.every((row) => row.status === 'ok' && row.attempts === 2)).toBe(true);
    expect(peer.faults.applied.status).toBe(2);

    // Metered once per scanned item (a retried chunk does not bill twice).
    const usage = await owner('usage_events').where({ tenant_id: tenant.id, kind: 'scan' }).sum('quantity as total').first();
    expect(Number(usage!.total)).toBe(4_950);

    // The report lists every item in order; failures are not hidden.
    const download = await fetch(`${hub.url}/v1/jobs/${job.id}/download`, { headers: { 'X-API-Key': tenant.key } });
    expect(download.status).toBe(200);
    const report = (await download.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; status: string; error?: string });
    expect(report).toHaveLength(5_000);
    expect(report[0]!.id).toBe('item-1');
    expect(report.filter((line) => line.status === 'error')).toHaveLength(50);
    expect(report.find((line) => line.id === 'item-100')!.error).toMatch(/PROVIDER_ERROR/);

    // 125 chunks: the first run continued as new after 100.
    const first = await owner('jobs').where({ id: job.id }).first('run_id');
    await recordHistory(hub.temporal, job.workflowId, 'batchScanJobContinuedAsNew', first.run_id);
    await recordHistory(hub.temporal, job.workflowId, WORKFLOW_TYPES.batchScanJob);
  });

  it('scans inline items with an explicit connector', async () => {
    const items = [
      { id: 'a', medication: 'Lisinopril 10 mg', patientRef: 'Patient/1' },
      { id: 'b', ndc: '0002-8215-01' },
    ];
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'batch_scan', { items, connectorId })).id);
    expect(job).toMatchObject({ status: 'completed', error: null, result: { total: 2, succeeded: 2, failed: 0 } });
  });

  it('fails a scan whose every item failed, with the report of them', async () => {
    peer.failItem = () => true;
    const items = [
      { id: 'x1', medication: 'Warfarin 5 mg' },
      { id: 'x2', medication: 'Aspirin 81 mg' },
    ];
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'batch_scan', { items, connectorId, maxAttemptsPerItem: 1 })).id);
    expect(job).toMatchObject({
      status: 'failed',
      error: { code: 'ITEMS_FAILED', message: expect.stringMatching(/^2 of 2 items failed: x1: .+; x2: .+$/) },
      result: { total: 2, succeeded: 0, failed: 2 },
    });
    const download = await fetch(`${hub.url}/v1/jobs/${job.id}/download`, { headers: { 'X-API-Key': tenant.key } });
    expect(download.status).toBe(200);
  });

  it.each([
    ['binary garbage', 'items.csv', 'text/csv', Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x9c, 0x00, 0xc3, 0x28])],
    ['an empty file', 'items.csv', 'text/csv', ''],
    ['wrong headers', 'items.csv', 'text/csv', 'name,dose\nfoo,1\n'],
    ['broken NDJSON', 'items.ndjson', 'application/x-ndjson', '{"id":"x","medication":"A"}\n{nope\n'],
  ])('refuses %s: the job fails clearly and stages nothing', async (_, name, contentType, body) => {
    const uploadId = await uploadFile(hub, tenant, { name, contentType, body });
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'batch_scan', { uploadId })).id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('InvalidScanInput');
    expect(job.error.message.length).toBeGreaterThan(5);
    expect(await owner('scan_items').where({ tenant_id: tenant.id, job_id: job.id })).toEqual([]);
  });

  it('writes scanned items back to the FHIR connector as Observations', async () => {
    const fhir: FhirPeer = await startFhirPeer({ port: 0, records: 0 });
    try {
      const fhirConnectorId = await registerFhirConnector(hub, tenant, fhir);
      peer.failItem = (item) => item.id === 'i-3';
      const items = Array.from({ length: 30 }, (_, index) => ({
        id: `i-${index}`,
        medication: `Atorvastatin ${index} mg`,
        patientRef: `Patient/p${index % 4}`,
      }));
      const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'batch_scan', { items, connectorId, fhirConnectorId, itemsPerChunk: 10 })).id);
      expect(job.status).toBe('completed_with_errors');
      expect(job.error.message).toMatch(/^1 of 30 items failed: i-3: /);
      expect(job.result).toMatchObject({ total: 30, succeeded: 29, failed: 1, writtenBack: 29 });
      const bundle = await fhir.repo.search({ resourceType: 'Observation', count: 100 });
      const observations = (bundle.entry ?? []).map((entry) => entry.resource!) as Array<{
        id: string;
        subject?: { reference: string };
        code: { coding: Array<{ system: string }> };
      }>;
      expect(observations).toHaveLength(29);
      expect(observations.every((observation) => observation.id.startsWith(`hub-scan-${job.id}-`))).toBe(true);
      expect(observations.find((observation) => observation.id === `hub-scan-${job.id}-0`)).toMatchObject({
        subject: { reference: 'Patient/p0' },
        code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm' }] },
      });
      const rows = await owner('scan_items').where({ tenant_id: tenant.id, job_id: job.id }).whereNotNull('fhir_resource_id');
      expect(rows).toHaveLength(29);
      await recordHistory(hub.temporal, job.workflowId, 'batchScanJobWithFhirWriteBack');
    } finally {
      await fhir.stop();
    }
  });

  it('cancels at a chunk boundary: chunks in flight finish, then the partial results are removed', async () => {
    peer.faults.add({ match: /POST \/v1\/scans/, fault: { kind: 'latency', delayMs: 150 }, times: Infinity });
    const lines = ['id,medication'];
    for (let n = 1; n <= 3_000; n += 1) lines.push(`c-${n},Drug ${n}`);
    const uploadId = await uploadFile(hub, tenant, { name: 'items.csv', contentType: 'text/csv', body: lines.join('\n') });
    const started = await startJobVia(hub, tenant, 'batch_scan', { uploadId, itemsPerChunk: 50, concurrency: 2 });
    await eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${started.id}`, { key: tenant.key });
        return response.body.job.progress?.done >= 100 ? true : undefined;
      },
      60_000,
      'some items to be scanned',
    );
    expect((await hub.request('POST', `/v1/jobs/${started.id}/cancel`, { key: tenant.key })).status).toBe(202);
    const job = await finishedJob(hub, tenant, started.id);
    expect(job.status).toBe('cancelled');
    expect(job.progress.done).toBeLessThan(3_000);
    expect(await owner('scan_items').where({ tenant_id: tenant.id, job_id: job.id })).toEqual([]);
    expect(await owner('files').where({ tenant_id: tenant.id, id: job.id })).toEqual([]);
    // What was scanned before the cancellation is billed, once per item.
    const billed = await owner('usage_events')
      .where({ tenant_id: tenant.id, kind: 'scan' })
      .whereRaw(`dedupe_key like ?`, [`scan:${job.id}:%`])
      .count('* as count')
      .first();
    expect(Number(billed!.count)).toBeGreaterThanOrEqual(100);
    expect(Number(billed!.count)).toBe(job.progress.done);
  });

  it('refuses inline items and an upload together (400)', async () => {
    const response = await hub.request('POST', '/v1/jobs', {
      key: tenant.key,
      body: { kind: 'batch_scan', params: { items: [{ id: 'a', medication: 'x' }], uploadId: '00000000-0000-4000-8000-000000000000' } },
    });
    expect(response.status).toBe(400);
  });
});
