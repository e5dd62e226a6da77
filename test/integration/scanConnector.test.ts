import { CONNECTOR_FAILURE_TYPES } from '../../connectors/errors';
import { scanFinding, startScanPeer } from '../peers/scan/scanPeer';
import { failureOf, readStream, runtimeOf } from '../support/connectors';
import { registerScanConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';

/** The scan connector against the scan provider peer, through the activity runtime. */
describe('scan connector', () => {
  const peer = useStarted(() => startScanPeer({ port: 0, apiKey: 'scan-provider-key' }));
  const { hub, tenant } = useHub({ tenants: [{}] });
  let connectorId: string;
  const items = Array.from({ length: 5_000 }, (_, index) =>
    index % 2 === 0
      ? { id: `item-${index + 1}`, medication: `Metformin ${500 + (index % 7) * 250} mg`, patientRef: `Patient/${index % 300}` }
      : { id: `item-${index + 1}`, ndc: `0002-${String(1000 + (index % 9000)).padStart(4, '0')}-01` },
  );

  beforeAll(async () => {
    connectorId = await registerScanConnector(hub, tenant, peer, { apiKey: 'scan-provider-key', batchSize: 500 });
  });
  afterEach(() => peer.faults.clear());

  it('scans 5,000 items in batches of 500 with deterministic results; 1% injected per-item failures are reported per item', async () => {
    peer.failItem = (item) => Number(item.id.split('-')[1]) % 100 === 0;
    const run = runtimeOf(hub);
    const { results } = await run(tenant.id, connectorId, ({ instance }) => instance.write!('scans', items));
    expect(results).toHaveLength(5_000);
    expect(results.filter((result) => result.ok)).toHaveLength(4_950);
    const failed = results.filter((result) => !result.ok);
    expect(failed.map((result) => result.externalId)).toEqual(items.filter((_, index) => (index + 1) % 100 === 0).map((item) => item.id));
    expect(failed[0]!.error).toMatch(/^PROVIDER_ERROR/);
    expect(peer.faults.count(/POST \/v1\/scans/)).toBe(10);
    const first = peer.scans.get(results[0]!.externalId!)!;
    expect(first.result).toEqual(scanFinding(items[0]!));

    // A retried activity replays the same batches (Idempotency-Key): nothing is scanned twice.
    const before = peer.scannedItems();
    const again = await run(tenant.id, connectorId, ({ instance }) => instance.write!('scans', items.slice(0, 500)));
    expect(again.results.map((result) => result.externalId)).toEqual(results.slice(0, 500).map((result) => result.externalId));
    expect(peer.scannedItems()).toBe(before);
  });

  let cursor: string | null = null;
  it('reads the 5,000 scans back across pages, then only the re-adjudicated and purged ones', async () => {
    const full = await readStream(hub, tenant.id, connectorId, 'scans', { pageSize: 1_000 });
    expect(full.records).toHaveLength(5_000);
    expect(full.pages).toBe(5);
    cursor = full.cursor;

    const ids = [...peer.scans.keys()];
    const changed = ids.slice(3, 8);
    for (const id of changed) peer.readjudicate(id);
    const purged = ids.slice(20, 22);
    for (const id of purged) peer.purge(id);
    const incremental = await readStream(hub, tenant.id, connectorId, 'scans', { cursor, pageSize: 1_000 });
    expect(incremental.records.map((record) => record.externalId).sort()).toEqual([...changed, ...purged].sort());
    expect(
      incremental.records
        .filter((record) => record.deleted)
        .map((record) => record.externalId)
        .sort(),
    ).toEqual([...purged].sort());
  });

  it('classifies a wrong key as AuthError and 429 as a rate limit with the server’s Retry-After', async () => {
    const wrong = await registerScanConnector(hub, tenant, peer, { apiKey: 'wrong' });
    const auth = await failureOf(runtimeOf(hub)(tenant.id, wrong, ({ instance }) => instance.testConnection()));
    expect([auth.type, auth.nonRetryable]).toEqual([CONNECTOR_FAILURE_TYPES.auth, true]);

    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 7, body: { error: { code: 'rate_limited', message: 'slow down' } } } });
    const limited = await failureOf(runtimeOf(hub)(tenant.id, connectorId, ({ instance }) => instance.write!('scans', items.slice(0, 3))));
    expect([limited.type, limited.nonRetryable, limited.nextRetryDelay]).toEqual([CONNECTOR_FAILURE_TYPES.rate_limit, false, 7_000]);

    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, match: /health/ });
    const started = Date.now();
    const tested = await hub.request('POST', `/v1/connectors/${connectorId}/test`, { key: tenant.key });
    expect(tested.body).toMatchObject({ ok: true, details: { provider: 'hub-scan-peer' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('rejects an invalid item before calling the provider (ConfigError) and classifies 503 as transient', async () => {
    const invalid = await failureOf(runtimeOf(hub)(tenant.id, connectorId, ({ instance }) => instance.write!('scans', [{ id: 'x' }])));
    expect([invalid.type, invalid.nonRetryable]).toEqual([CONNECTOR_FAILURE_TYPES.config, true]);
    peer.faults.add({ fault: { kind: 'status', status: 503 } });
    const unavailable = await failureOf(runtimeOf(hub)(tenant.id, connectorId, ({ instance }) => instance.testConnection()));
    expect(unavailable.type).toBe(CONNECTOR_FAILURE_TYPES.transient);
  });
});
