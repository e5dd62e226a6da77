import { AuthError, ConfigError, RateLimitError, TransientError } from '../../connectors/errors';
import { odataConnector } from '../../connectors/odata';
import { type Database } from '../../platform/db';
import { changedSince } from '../support/connectors';
import { caught, createTestConnector, createTestDatabase, readAll, TestCredentialStore } from '../support/connectorContext';
import { type ODataPeer, startODataPeer } from '../peers/odata/odataPeer';

describe('odata connector against the SAP CAP peer', () => {
  const RECORDS = 5_000;
  const SERVER_PAGE = 500;
  let peer: ODataPeer;
  let db: Database;

  beforeAll(async () => {
    peer = await startODataPeer({ port: 0, records: RECORDS, pageSize: SERVER_PAGE, seed: 3 });
    db = createTestDatabase('odata-connector');
  });
  afterAll(async () => {
    await peer.stop();
    await db.close();
  });
  afterEach(() => peer.faults.clear());

  function connector(overrides: { config?: Record<string, unknown>; credentials?: Record<string, unknown>; allowPrivateNetwork?: boolean } = {}) {
    return createTestConnector({
      definition: odataConnector,
      config: { serviceUrl: peer.serviceUrl, entitySets: ['BusinessPartners', 'SalesOrders'], deletedField: 'deletedAt', ...overrides.config },
      credentials: overrides.credentials ?? { username: peer.username, password: peer.password },
      store: new TestCredentialStore(),
      db,
      allowPrivateNetwork: overrides.allowPrivateNetwork,
    }).instance;
  }

  it('reads all 5,000 rows following @odata.nextLink, after discovering the entity set in $metadata', async () => {
    const instance = connector();
    const { records, cursor, pages } = await readAll(instance, 'BusinessPartners', null, 1000);
    expect(records).toHaveLength(RECORDS);
    expect(new Set(records.map((record) => record.externalId)).size).toBe(RECORDS);
    expect(pages).toBeGreaterThanOrEqual(RECORDS / SERVER_PAGE);
    expect(peer.faults.count(/GET \/odata\/v4\/erp\/\$metadata/)).toBe(1);
    expect(records[0]).toMatchObject({ externalId: '1', sourceUpdatedAt: expect.stringMatching(/Z$/), data: { ID: 1, name: 'Partner 1' } });
    expect(records.every((record) => record.deleted === undefined)).toBe(true);
    const position = JSON.parse(cursor!);
    expect(position).toMatchObject({ lastKey: RECORDS, next: null });
  });

  it('reads only rows changed since the cursor; soft deletes arrive as deleted, hard deletes are not reported', async () => {
    const instance = connector();
    const full = await readAll(instance, 'SalesOrders', null, 1000);
    expect(full.records).toHaveLength(RECORDS);

    const live = await peer.liveIds('SalesOrders');
    const modified = [live[0]!, live[17]!, live[2500]!, ...live.slice(4000, 4009)];
    await peer.modify('SalesOrders', modified); // one statement: the rows share one modifiedAt
    const softDeleted = [live[100]!, live[4999]!, live[3]!];
    await peer.softDelete('SalesOrders', softDeleted);
    await peer.hardDelete('SalesOrders', [live[50]!, live[51]!]);

    const increment = await readAll(instance, 'SalesOrders', full.cursor, 1000);
    // Besides the changes, the read re-delivers the lookback window before the cursor, unchanged.
    const changes = changedSince(increment.records, full.records);
    const ids = changes.map((record) => Number(record.externalId));
    expect(ids.sort((a, b) => a - b)).toEqual([...modified, ...softDeleted].sort((a, b) => a - b));
    for (const record of changes) {
      expect(record.deleted).toBe(softDeleted.includes(Number(record.externalId)) ? true : undefined);
    }
    // The hard-deleted rows are simply absent: a full-refresh sweep finds them.
    const sweep = await readAll(instance, 'SalesOrders', null, 1000);
    expect(sweep.records.map((record) => Number(record.externalId))).not.toContain(live[50]);
    expect(sweep.records).toHaveLength(RECORDS - 2);

    expect(changedSince((await readAll(instance, 'SalesOrders', increment.cursor, 1000)).records, full.records, increment.records)).toHaveLength(0);
  });

  it('continues from the keyset position when a stored next link is rejected, without gaps or repeats at a shared timestamp', async () => {
    const instance = connector();
    const startRead = await readAll(instance, 'BusinessPartners', null, 1000);
    const start = startRead.cursor;
    const live = await peer.liveIds('BusinessPartners');
    const changed = live.slice(1000, 1600); // 600 rows, one modifiedAt, more than a server page
    await peer.modify('BusinessPartners', changed);

    const first = await instance.readPage('BusinessPartners', start, 1000);
    expect(first.records.length).toBeGreaterThan(0);
    expect(first.done).toBe(false);
    // The server no longer knows the stored link (e.g. restarted): 410 Gone, once.
    peer.faults.add({ fault: { kind: 'status', status: 410, body: { error: { code: '410', message: 'skiptoken expired' } } }, match: /BusinessPartners$/ });
    const rest = await readAll(instance, 'BusinessPartners', first.nextCursor, 1000);
    expect(peer.faults.applied.status).toBeGreaterThanOrEqual(1);
    // Every changed row once; the rest are the lookback window's rows, re-read unchanged.
    const all = [...first.records, ...rest.records];
    const ids = all.map((record) => Number(record.externalId)).filter((id) => changed.includes(id));
    expect(ids).toHaveLength(changed.length);
    expect(new Set(ids)).toEqual(new Set(changed));
    expect(
      changedSince(
        all.filter((record) => !changed.includes(Number(record.externalId))),
        startRead.records,
      ),
    ).toHaveLength(0);
  });

  it('refuses entity sets and fields that $metadata does not have', async () => {
    const unknownSet = connector({ config: { entitySets: ['Nope'], deletedField: undefined } });
    const error = await caught(() => unknownSet.readPage('Nope', null, 10));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('BusinessPartners, SalesOrders');
    const wrongField = connector({ config: { modifiedField: 'changedOn' } });
    await expect(wrongField.readPage('SalesOrders', null, 10)).rejects.toThrow(/no property changedOn/);
    await expect(connector().readPage('Unconfigured', null, 10)).rejects.toBeInstanceOf(ConfigError);
  });

  it('authenticates with basic or bearer credentials and classifies a refusal as AuthError', async () => {
    await expect(connector({ credentials: { bearerToken: peer.bearerToken } }).testConnection()).resolves.toMatchObject({ details: { sampleRows: 1 } });
    const refused = await caught(() => connector({ credentials: { username: peer.username, password: 'wrong' } }).readPage('SalesOrders', null, 10));
    expect(refused).toBeInstanceOf(AuthError);
    expect((refused as Error).message).not.toContain('wrong');
    peer.faults.add({ fault: { kind: 'expiredToken' } });
    await expect(connector({ credentials: { bearerToken: peer.bearerToken } }).testConnection()).rejects.toBeInstanceOf(AuthError);
  });

  it('classifies 429 with its Retry-After, 5xx and resets as transient', async () => {
    const instance = connector();
    await instance.testConnection();
    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 4 }, match: /SalesOrders/ });
    const limited = await caught(() => instance.readPage('SalesOrders', null, 10));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(4_000);
    peer.faults.add({ fault: { kind: 'status', status: 502 }, match: /SalesOrders/ });
    await expect(instance.readPage('SalesOrders', null, 10)).rejects.toBeInstanceOf(TransientError);
    peer.faults.add({ fault: { kind: 'reset' }, match: /SalesOrders/ });
    await expect(instance.readPage('SalesOrders', null, 10)).rejects.toBeInstanceOf(TransientError);
    expect((await instance.readPage('SalesOrders', null, 10)).records.length).toBeGreaterThan(0);
  });

  it('keeps credentials on the service origin and loopback off limits when private networking is off', async () => {
    const instance = connector();
    const foreign = JSON.stringify({ since: null, lastKey: null, next: 'https://elsewhere.example.test/odata/v4/erp/SalesOrders?$skiptoken=1' });
    const leaked = await caught(() => instance.readPage('SalesOrders', foreign, 10));
    expect(leaked).toBeInstanceOf(ConfigError);
    expect((leaked as ConfigError).code).toBe('FOREIGN_LINK');
    expect(() => connector({ allowPrivateNetwork: false })).toThrow(ConfigError);
  });
});
