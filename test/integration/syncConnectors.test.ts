import { startFhirPeer, type FhirPeer } from '../peers/fhir/fhirPeer';
import { startODataPeer, type ODataPeer } from '../peers/odata/odataPeer';
import { startQuickBooksPeer, type QuickBooksPeer } from '../peers/quickbooks/quickbooksPeer';
import { registerConnector } from '../support/connectors';
import { registerFhirConnector } from '../support/connectorFactories';
import { useHub } from '../support/harness';
import { finishedJob, readChanges, startSync } from '../support/syncs';

/**
 * One sync end to end through the API for each of the other connector families: FHIR (REST search
 * paging and Bulk Data `$export`), QuickBooks (query paging, then change data capture) and OData
 * (keyset paging; a full refresh sweeps rows deleted outright, and only when it succeeds).
 */
describe('sync engine: FHIR, QuickBooks and OData through the API', () => {
  const { hub, tenant, owner } = useHub({ env: { SYNC_PAGE_SIZE: '500' }, tenants: [{}] });

  const liveRows = async (connectorId: string, stream: string) =>
    Number((await owner('records').where({ connector_id: connectorId, stream }).whereNull('deleted_at').count({ n: '*' }).first())!.n);

  describe('FHIR', () => {
    const PER_TYPE = 1_200;
    let peer: FhirPeer;
    beforeAll(async () => {
      peer = await startFhirPeer({ port: 0, records: PER_TYPE, seed: 5, exportFileSize: 700, exportDelayMs: 500, exportRetryAfterSeconds: 1 });
    });
    afterAll(() => peer.stop());

    it('syncs by REST search paging (_lastUpdated, next links), then only what changed', async () => {
      const connectorId = await registerFhirConnector(hub, tenant, peer);
      const first = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['Patient', 'Encounter'] })).id);
      expect(first.status).toBe('completed');
      expect(first.result.totals).toMatchObject({ read: 2 * PER_TYPE, inserted: 2 * PER_TYPE });
      expect(first.result.streams.Patient.pages).toBeGreaterThanOrEqual(PER_TYPE / 500);
      expect(await liveRows(connectorId, 'Patient')).toBe(PER_TYPE);
      const patient = await owner('records').where({ connector_id: connectorId, stream: 'Patient' }).first();
      expect(patient.data).toMatchObject({ resourceType: 'Patient', id: patient.external_id });

      const patients = await peer.ids('Patient');
      await peer.modify('Patient', patients.slice(0, 25));
      const second = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['Patient', 'Encounter'] })).id);
      // The 25 changes, and the lookback window before the cursor read again, unchanged.
      expect(second.result.totals).toMatchObject({ updated: 25, inserted: 0, read: 25 + second.result.totals.unchanged });
    });

    it('syncs by Bulk Data $export, then exports changes and deletions since the last transaction time', async () => {
      const connectorId = await registerFhirConnector(hub, tenant, peer, { readMode: 'bulk' });
      const first = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['Observation'] })).id);
      expect(first.status).toBe('completed');
      expect(first.result.totals).toMatchObject({ read: PER_TYPE, inserted: PER_TYPE });
      expect(first.result.streams.Observation.pages).toBeGreaterThanOrEqual(2);

      const observations = await peer.ids('Observation');
      await peer.modify('Observation', observations.slice(0, 10));
      await peer.remove('Observation', observations.slice(100, 104));
      const second = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['Observation'] })).id);
      expect(second.status).toBe('completed');
      expect(second.result.totals).toMatchObject({ updated: 10, deleted: 4, inserted: 0 });
      expect(await liveRows(connectorId, 'Observation')).toBe(PER_TYPE - 4);
    });
  });

  describe('QuickBooks', () => {
    const PER_ENTITY = 1_500;
    let peer: QuickBooksPeer;
    beforeAll(async () => {
      peer = await startQuickBooksPeer({ port: 0, records: PER_ENTITY, seed: 9 });
    });
    afterAll(() => peer.stop());

    it('loads every entity by query paging, then syncs change data capture: changes and deletions', async () => {
      const connectorId = await registerConnector(hub, tenant, {
        type: 'quickbooks',
        config: { realmId: peer.realmId, baseUrl: peer.url, tokenUrl: `${peer.url}/oauth2/v1/tokens/bearer` },
        credentials: peer.issueCredentials(),
      });
      const first = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
      expect(first.status).toBe('completed');
      expect(first.result.totals).toMatchObject({ read: 3 * PER_ENTITY, inserted: 3 * PER_ENTITY });
      expect(Object.keys(first.result.streams).sort()).toEqual(['Customer', 'Invoice', 'Payment']);
      const feed = await readChanges(hub, tenant, { connectorId, atLeast: 3 * PER_ENTITY });
      expect(feed.changes).toHaveLength(3 * PER_ENTITY);

      const invoices = peer.company.liveIds('Invoice');
      peer.company.modify('Invoice', invoices.slice(0, 30));
      peer.company.remove('Invoice', invoices.slice(500, 505));
      peer.company.modify('Customer', peer.company.liveIds('Customer').slice(0, 3));
      const second = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
      expect(second.status).toBe('completed');
      expect(second.result.streams.Invoice).toMatchObject({ updated: 30, deleted: 5, inserted: 0 });
      expect(second.result.streams.Customer).toMatchObject({ updated: 3 });
      const changes = await readChanges(hub, tenant, { connectorId, cursor: feed.cursor, atLeast: 38 });
      expect(changes.changes).toHaveLength(38);
      expect(
        changes.changes
          .filter((change) => change.deletedAt !== null)
          .map((change) => change.externalId)
          .sort(),
      ).toEqual(invoices.slice(500, 505).sort());
    });
  });

  describe('OData', () => {
    const ROWS = 1_500;
    let peer: ODataPeer;
    beforeAll(async () => {
      peer = await startODataPeer({ port: 0, records: ROWS, pageSize: 400, seed: 4 });
    });
    afterAll(() => peer.stop());

    it('syncs by keyset paging with soft deletes; a full refresh sweeps rows deleted outright, and never when it fails', async () => {
      const connectorId = await registerConnector(hub, tenant, {
        type: 'odata',
        config: { serviceUrl: peer.serviceUrl, entitySets: ['BusinessPartners', 'SalesOrders'], deletedField: 'deletedAt' },
        credentials: { username: peer.username, password: peer.password },
      });
      const first = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
      expect(first.status).toBe('completed');
      expect(first.result.totals).toMatchObject({ read: 2 * ROWS, inserted: 2 * ROWS });

      const live = await peer.liveIds('SalesOrders');
      await peer.modify('SalesOrders', live.slice(0, 12));
      await peer.softDelete('SalesOrders', live.slice(20, 23));
      const gone = live.slice(40, 46);
      await peer.hardDelete('SalesOrders', gone);
      const increment = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['SalesOrders'] })).id);
      expect(increment.result.totals).toMatchObject({ updated: 12, deleted: 3, inserted: 0 });
      // Rows deleted outright leave no trace an increment can see.
      expect(await liveRows(connectorId, 'SalesOrders')).toBe(ROWS - 3);

      // A full refresh that fails half-way sweeps nothing.
      peer.faults.add({
        fault: { kind: 'status', status: 400, body: { error: { code: '400', message: 'bad request' } } },
        match: /GET \/odata\/v4\/erp\/SalesOrders/,
        after: 2,
        times: 3,
      });
      const failed = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['SalesOrders'], mode: 'full_refresh' })).id);
      expect(failed.status).toBe('failed');
      expect(failed.error.code).toBe('ConnectorConfigError');
      expect(await liveRows(connectorId, 'SalesOrders')).toBe(ROWS - 3);
      peer.faults.clear();

      // One that succeeds marks exactly the rows it did not see as deleted.
      const refresh = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['SalesOrders'], mode: 'full_refresh' })).id);
      expect(refresh.status).toBe('completed');
      expect(refresh.result.totals).toMatchObject({ deleted: gone.length, inserted: 0, updated: 0 });
      const swept = await owner('records').where({ connector_id: connectorId, stream: 'SalesOrders' }).whereNotNull('deleted_at').pluck('external_id');
      expect(swept.map(Number).sort((a, b) => a - b)).toEqual([...live.slice(20, 23), ...gone].sort((a, b) => a - b));
      expect(await liveRows(connectorId, 'BusinessPartners')).toBe(ROWS);
    });
  });
});
