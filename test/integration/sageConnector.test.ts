import { AuthError, RateLimitError } from '../../connectors/errors';
import { findConnector } from '../../connectors/registry';
import { type Database } from '../../platform/db';
import { caught, createTestConnector, createTestDatabase, readAll, TestCredentialStore } from '../support/connectorContext';
import { startSagePeer, type SagePeer } from '../peers/sage/sagePeer';

/**
 * The shipped `sage-accounting` definition run by the declarative engine against the Sage peer:
 * `$next` paging at 200 items, increments by updated_or_created_since, deletions from
 * deleted_objects, the X-Business header, and single-use refresh tokens rotated once across workers.
 */
describe('sage-accounting (declarative) against the Sage peer', () => {
  const RECORDS = 1_000;
  let peer: SagePeer;
  let workerA: Database;
  let workerB: Database;
  let count = 0;
  const definition = findConnector('sage-accounting')!;

  beforeAll(async () => {
    peer = await startSagePeer({ port: 0, records: RECORDS, seed: 3 });
    workerA = createTestDatabase('sage-worker-a');
    workerB = createTestDatabase('sage-worker-b');
  });
  afterAll(async () => {
    await peer.stop();
    await workerA.close();
    await workerB.close();
  });
  afterEach(() => peer.faults.clear());

  function connector(options: { store?: TestCredentialStore; connectorId?: string; db?: Database; credentials?: Record<string, unknown> } = {}) {
    const store = options.store ?? new TestCredentialStore();
    const connectorId = options.connectorId ?? `sage-${(count += 1)}`;
    const { instance } = createTestConnector({
      definition,
      config: { businessId: peer.businessId, baseUrl: peer.apiUrl, tokenUrl: peer.tokenUrl },
      credentials: options.credentials ?? peer.issueCredentials(),
      store,
      connectorId,
      db: options.db ?? workerA,
    });
    return { instance, store, connectorId };
  }

  it('reads every contact by $next paging (items_per_page capped at 200), then only changes and deletions', async () => {
    const { instance } = connector();
    const before = peer.faults.count(/GET \/v3\.1\/contacts/);
    const full = await readAll(instance, 'contacts', null, 2_000);
    expect(full.records).toHaveLength(RECORDS);
    expect(new Set(full.records.map((record) => record.externalId)).size).toBe(RECORDS);
    expect(peer.faults.count(/GET \/v3\.1\/contacts/) - before).toBe(RECORDS / 200);
    expect(full.records[0]).toMatchObject({ sourceUpdatedAt: expect.stringMatching(/Z$/), data: { name: expect.any(String), $path: expect.any(String) } });

    const live = peer.store.liveIds('contacts');
    const changed = peer.store.modify('contacts', live.slice(0, 7));
    const removed = peer.store.remove('contacts', live.slice(500, 503));
    const increment = await readAll(instance, 'contacts', full.cursor, 2_000);
    const byId = new Map(increment.records.map((record) => [record.externalId, record]));
    for (const id of changed) expect(byId.get(id)?.deleted).toBeUndefined();
    for (const id of removed) expect(byId.get(id)).toMatchObject({ deleted: true });
    expect(increment.records.filter((record) => !record.deleted).map((record) => record.externalId)).toEqual(expect.arrayContaining(changed));
    expect(increment.records.filter((record) => record.deleted)).toHaveLength(3);
  });

  it('classifies a 429 with its Retry-After and keeps reading after it', async () => {
    const { instance } = connector();
    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 9 }, match: /sales_invoices/ });
    const limited = await caught(() => instance.readPage('sales_invoices', null, 200));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(9_000);
    expect((await instance.readPage('sales_invoices', null, 200)).records).toHaveLength(200);
  });

  it('an expired access token is refreshed once across two workers; the rotated pair is stored before use', async () => {
    const store = new TestCredentialStore();
    const credentials = peer.issueCredentials();
    const a = connector({ store, connectorId: 'sage-shared', credentials, db: workerA });
    const b = connector({ store, connectorId: 'sage-shared', credentials, db: workerB });
    await a.instance.readPage('contacts', null, 10);
    peer.expireAccessTokens();
    const calls = peer.tokenCalls;
    const [pageA, pageB] = await Promise.all([a.instance.readPage('contacts', null, 10), b.instance.readPage('sales_invoices', null, 10)]);
    expect(pageA.records).toHaveLength(10);
    expect(pageB.records).toHaveLength(10);
    expect(peer.tokenCalls - calls).toBe(1);
    expect(peer.reusedRefreshTokens).toBe(0);
    expect(store.updates).toHaveLength(1);
    expect(store.get<{ refreshToken: string }>('sage-shared').refreshToken).not.toBe(credentials.refreshToken);
  });

  it('a spent refresh token is an AuthError naming invalid_grant, without the token in the message', async () => {
    const credentials = { ...peer.issueCredentials(), accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString() };
    const first = connector({ credentials });
    await first.instance.readPage('contacts', null, 1); // spends the refresh token
    const second = connector({ credentials });
    const error = await caught(() => second.instance.readPage('contacts', null, 1));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('invalid_grant');
    expect((error as Error).message).not.toContain(credentials.refreshToken);
  });

  it('tests the connection against the business named by X-Business', async () => {
    const { instance } = connector();
    await expect(instance.testConnection()).resolves.toMatchObject({ details: { status: 200 } });
    const wrong = createTestConnector({
      definition,
      config: { businessId: 'someone-else', baseUrl: peer.apiUrl, tokenUrl: peer.tokenUrl },
      credentials: peer.issueCredentials(),
      store: new TestCredentialStore(),
      connectorId: 'sage-wrong-business',
      db: workerA,
    });
    await expect(wrong.instance.testConnection()).rejects.toBeInstanceOf(AuthError);
  });
});
