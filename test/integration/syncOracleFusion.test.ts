import { startOracleFusionPeer, type OracleFusionPeer } from '../peers/oracle/oracleFusionPeer';
import { registerConnector } from '../support/connectors';
import { useHub, useStarted } from '../support/harness';
import { finishedJob, startSync } from '../support/syncs';

/**
 * The shipped Oracle Fusion definition end to end: offset paging with hasMore, increments by
 * q=LastUpdateDate>=…, canceled invoices as deletions, a 429 storm, an expired token (a new
 * client-credentials token), the version segment from config, and a full refresh sweeping
 * suppliers removed outright.
 */
describe('sync engine: Oracle Fusion Cloud ERP (shipped declarative definition)', () => {
  const RECORDS = 1_200;
  const { hub, tenant, owner } = useHub({ env: { SYNC_PAGE_SIZE: '500' }, tenants: [{}] });
  const peer: OracleFusionPeer = useStarted(() => startOracleFusionPeer({ port: 0, records: RECORDS, seed: 4, version: '11.13.18.05' }), 'the Oracle peer');
  afterEach(() => peer.faults.clear());

  const liveRows = async (connectorId: string, stream: string) =>
    Number((await owner('records').where({ connector_id: connectorId, stream }).whereNull('deleted_at').count({ n: '*' }).first())!.n);
  const config = (version = peer.version) => ({ baseUrl: peer.url, version, tokenUrl: peer.tokenUrl, scope: peer.scope });
  const credentials = () => ({ clientId: peer.clientId, clientSecret: peer.clientSecret });

  it('full, incremental with cancellations, 429 storm, expired token, then a full refresh sweeping removed rows', async () => {
    const connectorId = await registerConnector(hub, tenant, { type: 'oracle-fusion-erp', config: config(), credentials: credentials() });
    const first = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
    expect(first.status).toBe('completed');
    expect(first.result.totals).toMatchObject({ read: 2 * RECORDS, inserted: 2 * RECORDS });
    expect(first.result.streams.suppliers.pages).toBeGreaterThanOrEqual(RECORDS / 500);
    expect(peer.faults.count(/\/fscmRestApi\/resources\/11\.13\.18\.05\/suppliers/)).toBeGreaterThanOrEqual(3);
    const supplier = await owner('records').where({ connector_id: connectorId, stream: 'suppliers' }).first();
    expect(supplier.data).toMatchObject({ SupplierId: Number(supplier.external_id), Supplier: expect.any(String) });
    expect(supplier.data.links).toBeUndefined(); // onlyData=true

    const suppliers = peer.ids('suppliers');
    const invoices = peer.ids('invoices');
    peer.modify('suppliers', suppliers.slice(0, 9));
    peer.cancel(invoices.slice(0, 4));
    peer.expireAccessTokens();
    const tokenCalls = peer.tokenCalls;
    peer.faults.add({
      fault: { kind: 'status', status: 429, retryAfterSeconds: 1, body: { title: 'Too Many Requests' } },
      match: /GET \/fscmRestApi/,
      times: 5,
    });
    const second = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
    expect(second.status).toBe('completed');
    expect(second.result.totals).toMatchObject({ updated: 9, deleted: 4, inserted: 0 });
    expect(second.result.totals.rateLimited).toBeGreaterThanOrEqual(1);
    expect(peer.tokenCalls).toBeGreaterThan(tokenCalls);
    expect(await liveRows(connectorId, 'invoices')).toBe(RECORDS - 4);

    peer.remove('suppliers', suppliers.slice(100, 103));
    const sweep = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { mode: 'full_refresh', streams: ['suppliers'] })).id);
    expect(sweep.status).toBe('completed');
    expect(sweep.result.totals).toMatchObject({ deleted: 3, inserted: 0 });
    expect(await liveRows(connectorId, 'suppliers')).toBe(RECORDS - 3);
  });

  it('a version segment the pod does not serve fails the sync as a configuration error', async () => {
    const connectorId = await registerConnector(hub, tenant, { type: 'oracle-fusion-erp', config: config('11.1.1.1'), credentials: credentials() });
    const job = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['suppliers'] })).id);
    expect(job.status).toBe('failed');
    expect(JSON.stringify(job.error)).toMatch(/404/);
  });
});
