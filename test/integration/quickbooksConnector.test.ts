import { AuthError, ConfigError, RateLimitError, TransientError } from '../../connectors/errors';
import { quickbooksConnector } from '../../connectors/quickbooks';
import { type QuickBooksCredentials } from '../../connectors/quickbooks/schemas';
import { type Database } from '../../platform/db';
import { caught, createTestConnector, createTestDatabase, readAll, TestCredentialStore } from '../support/connectorContext';
import { type QuickBooksPeer, startQuickBooksPeer } from '../peers/quickbooks/quickbooksPeer';

describe('quickbooks connector against the QuickBooks peer', () => {
  const RECORDS = 5_000;
  let peer: QuickBooksPeer;
  // Two pools on the test database stand for two worker processes.
  let workerA: Database;
  let workerB: Database;
  let connectorCount = 0;

  beforeAll(async () => {
    peer = await startQuickBooksPeer({ port: 0, records: RECORDS, seed: 7 });
    workerA = createTestDatabase('qbo-worker-a');
    workerB = createTestDatabase('qbo-worker-b');
  });
  afterAll(async () => {
    await peer.stop();
    await workerA.close();
    await workerB.close();
  });
  afterEach(() => peer.faults.clear());

  const config = () => ({ realmId: peer.realmId, baseUrl: peer.url, tokenUrl: `${peer.url}/oauth2/v1/tokens/bearer` });

  /** A connector with fresh credentials; pass `connectorId`/`store` to build a second instance of the same connector. */
  function connector(
    options: { store?: TestCredentialStore; connectorId?: string; db?: Database; credentials?: QuickBooksCredentials; allowPrivateNetwork?: boolean } = {},
  ) {
    const store = options.store ?? new TestCredentialStore();
    const connectorId = options.connectorId ?? `qbo-${(connectorCount += 1)}`;
    const credentials = options.credentials ?? peer.issueCredentials();
    const { instance } = createTestConnector({
      definition: quickbooksConnector,
      config: config(),
      credentials,
      store,
      connectorId,
      db: options.db ?? workerA,
      allowPrivateNetwork: options.allowPrivateNetwork,
    });
    return { instance, store, connectorId };
  }

  it('reads all 5,000 customers by query paging, then continues with change data capture', async () => {
    const { instance } = connector();
    const before = peer.faults.count(/GET \/v3\/company\/\d+\/query/);
    const { records, cursor, pages } = await readAll(instance, 'Customer', null, 400);
    expect(records).toHaveLength(RECORDS);
    expect(new Set(records.map((record) => record.externalId)).size).toBe(RECORDS);
    expect(pages).toBe(Math.ceil(RECORDS / 400) + (RECORDS % 400 === 0 ? 1 : 0));
    expect(peer.faults.count(/GET \/v3\/company\/\d+\/query/) - before).toBe(pages);
    expect(records[0]).toMatchObject({
      externalId: expect.any(String),
      sourceUpdatedAt: expect.stringMatching(/Z$/),
      data: { DisplayName: expect.any(String) },
    });
    expect(JSON.parse(cursor!)).toMatchObject({ mode: 'cdc', seen: [] });
  });

  it('reads only changed and deleted records incrementally, each once, across CDC pages', async () => {
    const { instance } = connector();
    const full = await readAll(instance, 'Invoice', null, 1000);
    expect(full.records).toHaveLength(RECORDS);

    const live = peer.company.liveIds('Invoice');
    const modified = peer.company.modify('Invoice', [live[10]!, live[200]!, live[3000]!, ...live.slice(4000, 4012)]);
    const modifiedAgain = peer.company.modify('Invoice', live.slice(4000, 4024)); // 12 of them twice
    const deleted = peer.company.remove('Invoice', [live[5]!, live[4999]!]);
    const changed = new Set([...modified, ...modifiedAgain]);

    const increment = await readAll(instance, 'Invoice', full.cursor, 10);
    expect(increment.pages).toBeGreaterThan(2);
    const byId = new Map(increment.records.map((record) => [record.externalId, record]));
    expect(increment.records).toHaveLength(changed.size + deleted.length);
    expect(new Set(byId.keys())).toEqual(new Set([...changed, ...deleted]));
    for (const id of deleted) expect(byId.get(id)).toMatchObject({ deleted: true, data: { status: 'Deleted' } });
    for (const id of changed) expect(byId.get(id)!.deleted).toBeUndefined();

    // Nothing changed since: the next increment is empty, and a new change shows up alone.
    expect((await readAll(instance, 'Invoice', increment.cursor, 10)).records).toHaveLength(0);
    peer.company.modify('Invoice', [live[10]!]);
    const again = await readAll(instance, 'Invoice', increment.cursor, 10);
    expect(again.records.map((record) => record.externalId)).toEqual([live[10]]);
  });

  it('falls back to a full load when the cursor is older than the 30-day CDC window', async () => {
    const { instance } = connector();
    const old = JSON.stringify({ mode: 'cdc', since: new Date(Date.now() - 31 * 24 * 3600_000).toISOString(), seen: [] });
    const page = await instance.readPage('Payment', old, 1000);
    expect(page.records).toHaveLength(1000);
    expect(JSON.parse(page.nextCursor!)).toMatchObject({ mode: 'full', position: 1001 });
  });

  it('classifies rejected credentials as AuthError (expired access token and a spent refresh token)', async () => {
    const spent = peer.issueCredentials();
    // Spend the refresh token, as another installation of the app would have.
    await fetch(`${peer.url}/oauth2/v1/tokens/bearer`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${peer.clientId}:${peer.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: spent.refreshToken }),
    });
    const { instance } = connector({ credentials: { ...spent, accessToken: 'revoked-access-token' } });
    const error = await caught(() => instance.testConnection());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('invalid_grant');
    expect((error as Error).message).not.toContain(spent.refreshToken);

    const wrongClient = connector({ credentials: { ...peer.issueCredentials(), clientSecret: 'wrong', accessToken: 'nope' } });
    await expect(wrongClient.instance.readPage('Customer', null, 10)).rejects.toBeInstanceOf(AuthError);
  });

  it('classifies 429 with the Retry-After it carries, 5xx and resets as transient', async () => {
    const { instance } = connector();
    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 7 }, match: /\/query$/ });
    const limited = await caught(() => instance.readPage('Customer', null, 10));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(7_000);
    expect((limited as Error).message).toContain('3001');

    peer.faults.add({ fault: { kind: 'status', status: 503 }, match: /\/cdc$/ });
    await expect(instance.readPage('Customer', JSON.stringify({ mode: 'cdc', since: new Date().toISOString(), seen: [] }), 10)).rejects.toBeInstanceOf(
      TransientError,
    );
    peer.faults.add({ fault: { kind: 'reset' } });
    await expect(instance.readPage('Customer', null, 10)).rejects.toBeInstanceOf(TransientError);
    // After the faults the same call succeeds (what Temporal's retry would do).
    expect((await instance.readPage('Customer', null, 10)).records).toHaveLength(10);
  });

  it('two concurrent refreshes on two workers produce one call to the token endpoint', async () => {
    const store = new TestCredentialStore();
    const connectorId = 'qbo-shared';
    const initial = peer.issueCredentials();
    const first = connector({ store, connectorId, credentials: initial, db: workerA });
    const second = connector({ store, connectorId, credentials: initial, db: workerB });
    peer.tokens.expireAccessTokens();
    // Slow token endpoint: the second worker is certainly waiting for the lock while the first refreshes.
    peer.faults.add({ fault: { kind: 'latency', delayMs: 300 }, match: /tokens\/bearer/ });
    const callsBefore = peer.tokens.calls;
    const unauthorizedBefore = peer.faults.count(/GET \/v3\/company\/\d+\/query/);

    const [pageA, pageB] = await Promise.all([first.instance.readPage('Customer', null, 5), second.instance.readPage('Customer', null, 5)]);

    expect(pageA.records).toHaveLength(5);
    expect(pageB.records).toHaveLength(5);
    expect(peer.tokens.calls - callsBefore).toBe(1);
    // Each worker was refused once (401), then retried with the rotated token.
    expect(peer.faults.count(/GET \/v3\/company\/\d+\/query/) - unauthorizedBefore).toBe(4);
    expect(store.updates.filter((update) => update.connectorId === connectorId)).toHaveLength(1);
    const stored = store.get<QuickBooksCredentials>(connectorId);
    expect(stored.refreshToken).not.toBe(initial.refreshToken);
    expect(stored.accessToken).not.toBe(initial.accessToken);
    expect(Date.parse(stored.accessTokenExpiresAt!)).toBeGreaterThan(Date.now());

    // The rotated pair keeps working for a third instance that starts from the vault.
    const third = connector({ store, connectorId, credentials: stored, db: workerB });
    expect((await third.instance.readPage('Payment', null, 3)).records).toHaveLength(3);
    expect(peer.tokens.calls - callsBefore).toBe(1);
  });

  it('refreshes ahead of a known expiry without a failed request', async () => {
    const credentials = { ...peer.issueCredentials(), accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString() };
    const { instance, store, connectorId } = connector({ credentials });
    const callsBefore = peer.tokens.calls;
    await instance.testConnection();
    expect(peer.tokens.calls - callsBefore).toBe(1);
    expect(store.get<QuickBooksCredentials>(connectorId).refreshToken).not.toBe(credentials.refreshToken);
  });

  it('creates customers and invoices with requestid idempotency; a rejected record fails alone', async () => {
    const { instance } = connector();
    const customers = [
      { DisplayName: 'Idempotent Ltd', PrimaryEmailAddr: { Address: 'ap@idempotent.test' } },
      { DisplayName: 'Second Customer Inc' },
      { GivenName: '' },
    ];
    const countBefore = peer.company.count('Customer');
    const first = await instance.write!('Customer', customers);
    expect(first.results.map((result) => result.ok)).toEqual([true, true, false]);
    expect(first.results[2]!.error).toContain('2020');
    // The retried batch (same records, so the same requestids) creates nothing new.
    const retried = await instance.write!('Customer', customers);
    expect(retried.results.slice(0, 2).map((result) => result.externalId)).toEqual(first.results.slice(0, 2).map((result) => result.externalId));
    expect(peer.company.count('Customer')).toBe(countBefore + 2);
    expect([...peer.requestIds.values()].filter((seen) => seen === 2).length).toBeGreaterThanOrEqual(3);

    const invoice = await instance.write!('Invoice', [
      {
        requestId: 'inv-job-1-step-1',
        CustomerRef: { value: first.results[0]!.externalId },
        Line: [{ Amount: 120, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '1' } } }],
      },
    ]);
    expect(invoice.results[0]).toMatchObject({ ok: true, created: true });
    expect(peer.requestIds.get('inv-job-1-step-1')).toBe(1);
    await expect(instance.write!('Payment', [{}])).rejects.toBeInstanceOf(ConfigError);
  });

  it('sends node-quickbooks traffic through the guarded network (loopback refused when private networking is off)', async () => {
    const { instance } = connector({ allowPrivateNetwork: true });
    await expect(instance.testConnection()).resolves.toMatchObject({ details: { realmId: peer.realmId, companyName: 'Peer Company' } });
    const strict = createTestConnector({
      definition: quickbooksConnector,
      config: { realmId: peer.realmId, baseUrl: 'https://quickbooks.example.test', tokenUrl: 'https://oauth.example.test/token' },
      credentials: peer.issueCredentials(),
      store: new TestCredentialStore(),
      db: workerA,
      allowPrivateNetwork: false,
    });
    // Point the client at the peer after registration-time checks: the transport's per-request check refuses it.
    (strict.context.config as { baseUrl: string }).baseUrl = `https://127.0.0.1:${peer.port}`;
    const refused = await caught(() => quickbooksConnector.create(strict.context as never).testConnection());
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).code).toBe('FORBIDDEN_DESTINATION');
  });
});
