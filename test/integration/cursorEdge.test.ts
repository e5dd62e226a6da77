import { startFhirPeer, type FhirPeer } from '../peers/fhir/fhirPeer';
import { startODataPeer, type ODataPeer } from '../peers/odata/odataPeer';
import { startQuickBooksPeer, type QuickBooksPeer } from '../peers/quickbooks/quickbooksPeer';
import { OBJECT_FIELDS, salesforceId, type SalesforceRecord } from '../peers/salesforce/salesforceData';
import { startSalesforcePeer, type RunningSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { startStripePeer, STRIPE_TEST_KEY, type RunningStripePeer } from '../peers/stripe/stripePeer';
import Stripe from 'stripe';
import { readStream, registerConnector, runtimeOf } from '../support/connectors';
import { useHub } from '../support/harness';
import { finishedJob, readChanges, startSync } from '../support/syncs';

/**
 * No change lost at the cursor's edge. For each connector a peer writes, after a first sync:
 * (a) changes in the same second as the cursor's newest record, with keys below and above its key;
 * (b) changes stamped earlier than the cursor but inside the lookback window (a late commit);
 * (c) changes stamped before the lookback window (the documented limit).
 * The next incremental run brings every change of (a) and (b) exactly once into the change feed,
 * with exact counts; a reconcile run then repairs (c), hard deletes included.
 */
describe('incremental cursors: same-second writes and late commits', () => {
  const { hub, tenant, owner } = useHub({ env: { SYNC_PAGE_SIZE: '500' }, tenants: [{}] });

  /** Where the change feed of a connector ends now (after the changes it already shows). */
  const feedEnd = async (connectorId: string, atLeast = 0) => (await readChanges(hub, tenant, { connectorId, atLeast })).cursor;
  const changedIds = async (connectorId: string, cursor: string, atLeast: number) => {
    const { changes, cursor: next } = await readChanges(hub, tenant, { connectorId, cursor, atLeast });
    return { ids: changes.map((change) => change.externalId).sort(), changes, cursor: next };
  };
  const storedIds = async (connectorId: string) =>
    (await owner('records').where({ connector_id: connectorId }).select('external_id')).map((row) => row.external_id as string);
  const sync = async (connectorId: string, mode: 'incremental' | 'reconcile', streams: string[]) => {
    const job = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams, mode: mode as 'incremental' })).id);
    expect(job.status).toBe('completed');
    return job.result as { totals: { read: number; inserted: number; updated: number; deleted: number; unchanged: number } };
  };
  /** A run's counts add up: every record read was inserted, updated, deleted or unchanged. */
  const expectBalanced = (totals: { read: number; inserted: number; updated: number; deleted: number; unchanged: number }) =>
    expect(totals.inserted + totals.updated + totals.deleted + totals.unchanged).toBe(totals.read);

  describe('Salesforce (SystemModstamp, whole seconds, key below and above the cursor Id)', () => {
    let peer: RunningSalesforcePeer;
    const base = Math.floor(Date.now() / 1000) * 1000 - 3 * 3600_000;
    const stamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
    const put = (id: string, ms: number, values: Record<string, unknown> = {}) => {
      const existing = peer.org.table('Account').get(id);
      const blank = Object.fromEntries(OBJECT_FIELDS.Account!.map((field) => [field.name, null]));
      const record = {
        ...blank,
        ...existing,
        Name: `Account ${id}`,
        ...values,
        Id: id,
        IsDeleted: false,
        CreatedDate: existing?.CreatedDate ?? stamp(ms),
        LastModifiedDate: stamp(ms),
        SystemModstamp: stamp(ms),
      } as SalesforceRecord;
      peer.org.table('Account').set(id, record);
      return id;
    };
    beforeAll(async () => {
      peer = await startSalesforcePeer({ port: 0, records: { Account: 0, Contact: 0, Opportunity: 0 } });
      // 20 accounts one minute apart, stamped in whole seconds as Salesforce stamps them.
      for (let n = 1; n <= 20; n += 1) put(salesforceId('Account', n), base + n * 60_000);
    });
    afterAll(() => peer.stop());

    it('delivers same-second and late changes once, and a reconcile run repairs what lies before the lookback window', async () => {
      const connectorId = await registerConnector(hub, tenant, {
        type: 'salesforce',
        config: { instanceUrl: peer.url, loginUrl: peer.url },
        credentials: { accessToken: peer.issueAccessToken() },
      });
      const first = await sync(connectorId, 'incremental', ['Account']);
      expect(first.totals).toMatchObject({ read: 20, inserted: 20 });
      const cursor = await feedEnd(connectorId, 20);
      const newest = base + 20 * 60_000; // S: the cursor is (S, …020AAA)

      // (a) the same second as S: five new records with lower Ids, two with higher, one change below the key.
      const lower = ['A', 'B', 'C', 'D', 'E'].map((suffix) => put(`001000000000000AA${suffix}`, newest));
      const higher = [put(salesforceId('Account', 901), newest), put(salesforceId('Account', 902), newest)];
      const changedAtEdge = put(salesforceId('Account', 5), newest, { Name: 'renamed at the edge' });
      // (b) inside the 300 s lookback: a late commit stamped two minutes before S, and a change.
      const late = put(salesforceId('Account', 903), newest - 120_000);
      const changedLate = put(salesforceId('Account', 7), newest - 120_000, { Name: 'renamed late' });
      // … and a recycle-bin deletion at S.
      const binned = salesforceId('Account', 9);
      put(binned, newest);
      peer.org.table('Account').get(binned)!.IsDeleted = true;
      // (c) before the window: a late commit stamped 15 minutes before S, and a hard delete /deleted never reported.
      const tooLate = put(salesforceId('Account', 904), newest - 900_000);
      const vanished = salesforceId('Account', 11);
      peer.org.table('Account').delete(vanished);

      const second = await sync(connectorId, 'incremental', ['Account']);
      expect(second.totals).toMatchObject({ inserted: 8, updated: 2, deleted: 1 });
      expectBalanced(second.totals);
      const seen = await changedIds(connectorId, cursor, 11);
      expect(seen.ids).toEqual([...lower, ...higher, changedAtEdge, late, changedLate, binned].sort());
      expect(await storedIds(connectorId)).not.toContain(tooLate);

      // The window is read again next time; nothing is counted or fed twice, the deletion included.
      const third = await sync(connectorId, 'incremental', ['Account']);
      expect(third.totals).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
      expect(third.totals.unchanged).toBeGreaterThan(0);
      expect((await readChanges(hub, tenant, { connectorId, cursor: seen.cursor })).changes).toHaveLength(0);

      // Reconciliation: a full read repairs the missed insert and the unreported hard delete.
      const repair = await sync(connectorId, 'reconcile', ['Account']);
      expect(repair.totals).toMatchObject({ inserted: 1, updated: 0, deleted: 1 });
      const repaired = await changedIds(connectorId, seen.cursor, 2);
      expect(repaired.ids).toEqual([tooLate, vanished].sort());
      const runs = await hub.request('GET', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key });
      expect(runs.body.data[0]).toMatchObject({ mode: 'reconcile', status: 'completed', totals: { inserted: 1, deleted: 1 } });
    });
  });

  describe('FHIR search (meta.lastUpdated in whole seconds, as Epic reports it)', () => {
    let peer: FhirPeer;
    const base = Math.floor(Date.now() / 1000) * 1000 - 3 * 3600_000;
    beforeAll(async () => {
      peer = await startFhirPeer({ port: 0, records: 0, seed: 3 });
      await peer.seed('Patient', 20, base + 60_000, base + 21 * 60_000);
    });
    afterAll(() => peer.stop());

    it('delivers patients written in the cursor second and late commits once; reconcile repairs older ones', async () => {
      const connectorId = await registerConnector(hub, tenant, {
        type: 'fhir',
        config: { baseUrl: peer.baseUrl },
        credentials: { bearerToken: peer.auth.issueStaticToken() },
      });
      const first = await sync(connectorId, 'incremental', ['Patient']);
      // Keyset pages start at the previous page's newest instant: its record is read twice, counted once.
      expect(first.totals).toMatchObject({ inserted: 20, updated: 0 });
      expectBalanced(first.totals);
      const cursor = await feedEnd(connectorId, 20);
      const newest = base + 20 * 60_000; // the 20th patient's second

      const sameSecond = await peer.seed('Patient', 5, newest, newest);
      const late = await peer.seed('Patient', 2, newest - 120_000, newest - 120_000);
      const tooLate = await peer.seed('Patient', 2, newest - 900_000, newest - 900_000);

      const second = await sync(connectorId, 'incremental', ['Patient']);
      expect(second.totals).toMatchObject({ inserted: 7, updated: 0, deleted: 0 });
      expectBalanced(second.totals);
      const seen = await changedIds(connectorId, cursor, 7);
      expect(seen.ids).toEqual([...sameSecond, ...late].sort());
      const stored = await storedIds(connectorId);
      for (const id of tooLate) expect(stored).not.toContain(id);

      const repair = await sync(connectorId, 'reconcile', ['Patient']);
      expect(repair.totals).toMatchObject({ inserted: 2, updated: 0, deleted: 0 });
      expectBalanced(repair.totals);
      expect((await changedIds(connectorId, seen.cursor, 2)).ids).toEqual([...tooLate].sort());
    });

    it('pages by keyset: a record updated during a traversal neither shifts a page boundary nor makes it loop', async () => {
      const connectorId = await registerConnector(hub, tenant, {
        type: 'fhir',
        config: { baseUrl: peer.baseUrl },
        credentials: { bearerToken: peer.auth.issueStaticToken() },
      });
      const all = await peer.ids('Patient');
      const read = await readStream(hub, tenant.id, connectorId, 'Patient', { pageSize: 10 });
      expect(new Set(read.records.map((record) => record.externalId))).toEqual(new Set(all));

      // Read the first page, move one of its patients to the end (an update), then read the rest.
      const pages: string[][] = [];
      const runtime = runtimeOf(hub);
      const first = await runtime(tenant.id, connectorId, ({ instance }) => instance.readPage('Patient', null, 10));
      pages.push(first.records.map((record) => record.externalId));
      await peer.modify('Patient', [first.records[0]!.externalId]);
      let cursor = first.nextCursor;
      for (let index = 0; index < 100; index += 1) {
        const page = await runtime(tenant.id, connectorId, ({ instance }) => instance.readPage('Patient', cursor, 10));
        pages.push(page.records.map((record) => record.externalId));
        cursor = page.nextCursor;
        if (page.done) break;
      }
      const delivered = pages.flat();
      expect(new Set(delivered)).toEqual(new Set(all));
      // Keyset paging repeats only the records at each page's boundary instant (here up to the five
      // written in one second), and the moved one: the traversal moves on and ends.
      expect(delivered.length).toBeLessThanOrEqual(all.length + pages.length * 5 + 1);
      expect(pages.length).toBeLessThan(all.length / 2);
    });
  });

  describe('FHIR Bulk Data ($export with _since)', () => {
    let peer: FhirPeer;
    beforeAll(async () => {
      peer = await startFhirPeer({ port: 0, records: 0, seed: 4, exportDelayMs: 200, exportRetryAfterSeconds: 1 });
      await peer.seed('Observation', 30, Date.now() - 3 * 3600_000, Date.now() - 2 * 3600_000);
    });
    afterAll(() => peer.stop());

    it('asks for _since the lookback window before the last transaction time: late commits arrive once', async () => {
      const connectorId = await registerConnector(hub, tenant, {
        type: 'fhir',
        config: { baseUrl: peer.baseUrl, readMode: 'bulk' },
        credentials: { bearerToken: peer.auth.issueStaticToken() },
      });
      const first = await sync(connectorId, 'incremental', ['Observation']);
      expect(first.totals).toMatchObject({ read: 30, inserted: 30 });
      const cursor = await feedEnd(connectorId, 30);
      const state = await owner('sync_stream_state').where({ connector_id: connectorId, stream: 'Observation' }).first();
      const transactionTime = Date.parse(JSON.parse(state.cursor).since);

      // Committed after the export, stamped before its transaction time: inside and outside the window.
      const late = await peer.seed('Observation', 3, transactionTime - 60_000, transactionTime - 60_000);
      const tooLate = await peer.seed('Observation', 1, transactionTime - 900_000, transactionTime - 900_000);
      const second = await sync(connectorId, 'incremental', ['Observation']);
      expect(second.totals).toMatchObject({ inserted: 3, updated: 0 });
      expectBalanced(second.totals);
      const seen = await changedIds(connectorId, cursor, 3);
      expect(seen.ids).toEqual([...late].sort());

      const repair = await sync(connectorId, 'reconcile', ['Observation']);
      expect(repair.totals).toMatchObject({ inserted: 1, updated: 0, deleted: 0 });
      expect((await changedIds(connectorId, seen.cursor, 1)).ids).toEqual(tooLate);
    });
  });

  describe('OData (modifiedAt, single integer key)', () => {
    let peer: ODataPeer;
    const base = Math.floor(Date.now() / 1000) * 1000 - 3 * 3600_000;
    beforeAll(async () => {
      peer = await startODataPeer({ port: 0, records: 0, pageSize: 10, seed: 2 });
      await peer.seed('BusinessPartners', 20, base + 60_000, base + 21 * 60_000);
    });
    afterAll(() => peer.stop());

    it('re-reads the lookback window: rows changed at the cursor instant with lower keys, and late commits, arrive once', async () => {
      const connectorId = await registerConnector(hub, tenant, {
        type: 'odata',
        config: { serviceUrl: peer.serviceUrl, entitySets: ['BusinessPartners'], deletedField: 'deletedAt' },
        credentials: { username: peer.username, password: peer.password },
      });
      const first = await sync(connectorId, 'incremental', ['BusinessPartners']);
      expect(first.totals).toMatchObject({ read: 20, inserted: 20 });
      const cursor = await feedEnd(connectorId, 20);
      const newest = base + 20 * 60_000; // the cursor is (S, 20)

      await peer.modify('BusinessPartners', [3, 4], newest); // (a) keys below 20 at S
      const above = await peer.seed('BusinessPartners', 2, newest, newest); // (a) keys above at S
      await peer.modify('BusinessPartners', [6], newest - 60_000); // (b) inside the 120 s window
      const tooLate = await peer.seed('BusinessPartners', 1, newest - 900_000, newest - 900_000); // (c)
      await peer.hardDelete('BusinessPartners', [12]); // (c) no tombstone

      const second = await sync(connectorId, 'incremental', ['BusinessPartners']);
      expect(second.totals).toMatchObject({ inserted: 2, updated: 3, deleted: 0 });
      expectBalanced(second.totals);
      const seen = await changedIds(connectorId, cursor, 5);
      expect(seen.ids).toEqual(['3', '4', '6', ...above.map(String)].sort());
      expect(await storedIds(connectorId)).not.toContain(String(tooLate[0]));

      const repair = await sync(connectorId, 'reconcile', ['BusinessPartners']);
      expect(repair.totals).toMatchObject({ inserted: 1, updated: 0, deleted: 1 });
      expect((await changedIds(connectorId, seen.cursor, 2)).ids).toEqual(['12', String(tooLate[0])].sort());
    });
  });

  describe('QuickBooks (CDC, one-minute overlap)', () => {
    let peer: QuickBooksPeer;
    beforeAll(async () => {
      peer = await startQuickBooksPeer({ port: 0, records: 30, seed: 11 });
    });
    afterAll(() => peer.stop());

    it('a change stamped inside the overlap arrives once; one stamped before it waits for reconcile', async () => {
      const credentials = peer.issueCredentials();
      const connectorId = await registerConnector(hub, tenant, {
        type: 'quickbooks',
        config: { realmId: peer.realmId, baseUrl: peer.url, tokenUrl: `${peer.url}/oauth2/v1/tokens/bearer` },
        credentials,
      });
      const first = await sync(connectorId, 'incremental', ['Customer']);
      expect(first.totals.inserted).toBe(first.totals.read);
      const cursor = await feedEnd(connectorId, first.totals.read);
      const live = peer.company.liveIds('Customer');
      const now = Date.now();
      peer.company.modify('Customer', [live[0]!, live[1]!], now); // (a) now, at the edge
      peer.company.modify('Customer', [live[2]!], now - 30_000); // (b) a late commit inside the 60 s overlap
      const second = await sync(connectorId, 'incremental', ['Customer']);
      expect(second.totals).toMatchObject({ inserted: 0, updated: 3, deleted: 0 });
      const seen = await changedIds(connectorId, cursor, 3);
      expect(seen.ids).toEqual([live[0]!, live[1]!, live[2]!].sort());

      peer.company.modify('Customer', [live[3]!], Date.now() - 600_000); // (c) before the overlap
      const third = await sync(connectorId, 'incremental', ['Customer']);
      expect(third.totals).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
      const repair = await sync(connectorId, 'reconcile', ['Customer']);
      expect(repair.totals).toMatchObject({ inserted: 0, updated: 1, deleted: 0 });
      expect((await changedIds(connectorId, seen.cursor, 1)).ids).toEqual([live[3]]);
    });
  });

  describe('Stripe (Events API, whole seconds)', () => {
    let peer: RunningStripePeer;
    let stripe: Stripe;
    beforeAll(async () => {
      peer = await startStripePeer({ port: 0, customers: 20 });
      const direct = new URL(peer.directUrl);
      stripe = new Stripe(STRIPE_TEST_KEY, { host: direct.hostname, port: direct.port, protocol: 'http', maxNetworkRetries: 0 });
    });
    afterAll(() => peer?.stop());

    /** Updates a customer; returns its id and the event Stripe recorded for it. */
    const rename = async (id: string, name: string) => {
      const before = Math.floor(Date.now() / 1000);
      await stripe.customers.update(id, { name });
      const events = await stripe.events.list({ limit: 100, created: { gte: before }, type: 'customer.updated' });
      const event = events.data.find(
        (candidate) => (candidate.data.object as { id?: string }).id === id && (candidate.data.object as { name?: string }).name === name,
      );
      if (!event) throw new Error(`no customer.updated event for ${id}`);
      return event;
    };

    it('applies events that show up late with an earlier created, once; reconcile repairs those before the window', async () => {
      const connectorId = await registerConnector(hub, tenant, { type: 'stripe', config: { apiBase: peer.url }, credentials: { secretKey: STRIPE_TEST_KEY } });
      const first = await sync(connectorId, 'incremental', ['customers']);
      expect(first.totals).toMatchObject({ read: 20, inserted: 20 });
      const customers = (await stripe.customers.list({ limit: 20 })).data.map((customer) => customer.id);
      // The newest event applied: ten minutes after the full read (restamped, so the test need not wait).
      const edge = await rename(customers[0]!, 'renamed first');
      edge.created += 600;
      await peer.restampEvent(edge.id, edge.created);
      const second = await sync(connectorId, 'incremental', ['customers']);
      expect(second.totals).toMatchObject({ updated: 1, inserted: 0 });
      // The feed shows each record once, at its latest change: 20 customers.
      const cursor = await feedEnd(connectorId, 20);

      // (a) an event in the same second as the newest applied one; (b) one two minutes before it
      // (inside the 300 s window); (c) one fifteen minutes before it (before the full read too: a
      // change the list would have had, had it not committed late).
      await peer.restampEvent((await rename(customers[1]!, 'same second')).id, edge.created);
      await peer.restampEvent((await rename(customers[2]!, 'late')).id, edge.created - 120);
      await peer.restampEvent((await rename(customers[3]!, 'too late')).id, edge.created - 900);

      const third = await sync(connectorId, 'incremental', ['customers']);
      expect(third.totals).toMatchObject({ updated: 2, inserted: 0, deleted: 0 });
      expectBalanced(third.totals);
      const seen = await changedIds(connectorId, cursor, 2);
      expect(seen.ids).toEqual([customers[1]!, customers[2]!].sort());

      // The window's events are remembered: the next run applies none of them again.
      const fourth = await sync(connectorId, 'incremental', ['customers']);
      expect(fourth.totals).toMatchObject({ read: 0 });

      const repair = await sync(connectorId, 'reconcile', ['customers']);
      expect(repair.totals).toMatchObject({ updated: 1, inserted: 0, deleted: 0 });
      expect((await changedIds(connectorId, seen.cursor, 1)).ids).toEqual([customers[3]]);
    });
  });
});
