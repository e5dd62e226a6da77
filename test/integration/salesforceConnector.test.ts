import { generateKeyPairSync } from 'node:crypto';
import { CONNECTOR_FAILURE_TYPES } from '../../connectors/errors';
import { type ConnectorRecord } from '../../connectors/types';
import { findConnectorRow, openConnectorCredentials } from '../../platform/connectorStore';
import { sfTime } from '../peers/salesforce/salesforceData';
import { startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { changedSince, failureOf, readStream, registerConnector, runtimeOf } from '../support/connectors';
import { useHub, useStarted } from '../support/harness';
import { recordHistory } from '../support/recordHistory';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

/** The salesforce connector (jsforce 3.10.16) against the Salesforce peer, through the activity runtime. */
describe('salesforce connector', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const peer = useStarted(() =>
    startSalesforcePeer({
      port: 0,
      records: { Account: 5_200, Contact: 50, Opportunity: 50 },
      clientId: 'hub-connected-app',
      clientSecret: 'hub-connected-app-secret',
      refreshTokens: ['5Aep-refresh-token'],
      jwtPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    }),
  );
  const { hub, tenant, owner } = useHub({ tenants: [{}] });
  const config = () => ({ instanceUrl: peer.url, loginUrl: peer.url, apiVersion: '62.0' });
  afterEach(() => peer.faults.clear());

  let fullCursor: string | null = null;
  let fullRecords: ConnectorRecord[] = [];
  let accessConnector: string;

  it('reads all 5,200 Accounts across pages of 2,000 (queryMore locators)', async () => {
    accessConnector = await registerConnector(hub, tenant, { type: 'salesforce', config: config(), credentials: { accessToken: peer.issueAccessToken() } });
    const { records, cursor, pages } = await readStream(hub, tenant.id, accessConnector, 'Account', { pageSize: 2000 });
    expect(records).toHaveLength(5_200);
    expect(new Set(records.map((record) => record.externalId)).size).toBe(5_200);
    expect(pages).toBe(3);
    expect(peer.faults.count(/\/query\/01g/)).toBe(2);
    expect(records.every((record) => !record.deleted && record.sourceUpdatedAt !== null)).toBe(true);
    expect(records[0]!.data).toMatchObject({ Id: records[0]!.externalId, Name: expect.any(String), SystemModstamp: expect.any(String) });
    fullCursor = cursor;
    fullRecords = records;
  });

  it('an incremental read returns only the records changed since, with deletions (recycle bin and hard deletes)', async () => {
    const accounts = [...peer.org.table('Account').values()];
    const changed = accounts.slice(10, 17).map((record) => record.Id);
    for (const id of changed) peer.org.update('Account', id, { Name: `Renamed ${id}` });
    const binned = accounts.slice(100, 103).map((record) => record.Id);
    for (const id of binned) peer.org.delete('Account', id);
    const purged = accounts.slice(200, 202).map((record) => record.Id);
    for (const id of purged) peer.org.purge('Account', id);
    // /deleted takes whole seconds (jsforce formats start/end to the second): let the second of the last deletion end.
    const lastDeletion = Math.max(...peer.org.deletedLog.get('Account')!.map((entry) => sfTime(entry.deletedDate)));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.floor(lastDeletion / 1_000) * 1_000 + 1_050 - Date.now())));

    const { records: read, cursor } = await readStream(hub, tenant.id, accessConnector, 'Account', { cursor: fullCursor });
    // Besides the changes, the read re-delivers the lookback window before the cursor, unchanged.
    const records = changedSince(read, fullRecords);
    const byId = new Map(records.map((record) => [record.externalId, record]));
    expect([...byId.keys()].sort()).toEqual([...changed, ...binned, ...purged].sort());
    for (const id of changed) expect(byId.get(id)).toMatchObject({ deleted: false, data: { Name: `Renamed ${id}` } });
    for (const id of [...binned, ...purged]) expect(byId.get(id)!.deleted).toBe(true);
    expect(peer.faults.count(/GET \/services\/data\/v62\.0\/queryAll/)).toBeGreaterThan(0);

    // Nothing changed since: the next incremental read is empty.
    const again = await readStream(hub, tenant.id, accessConnector, 'Account', { cursor });
    expect(changedSince(again.records, fullRecords, read)).toEqual([]);
  });

  it('classifies a rejected access token as AuthError: not retried, and the connector is paused', async () => {
    const id = await registerConnector(hub, tenant, { type: 'salesforce', config: config(), credentials: { accessToken: 'not-a-valid-session' } });
    const failure = await failureOf(runtimeOf(hub)(tenant.id, id, ({ instance }) => instance.readPage('Contact', null, 200)));
    expect(failure.type).toBe(CONNECTOR_FAILURE_TYPES.auth);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/INVALID_SESSION_ID/);
    const row = await owner('connectors').where({ id }).first();
    expect(row).toMatchObject({ status: 'paused', paused_reason: expect.stringMatching(/^auth_failed/) });
    const audit = await owner('audit_log').where({ tenant_id: tenant.id, target_id: id }).orderBy('seq').pluck('action');
    expect(audit).toEqual(expect.arrayContaining(['connector.created', 'connector.paused', 'connector.auth_failed']));
    // New credentials resume it.
    const patched = await hub.request('PATCH', `/v1/connectors/${id}`, { key: tenant.key, body: { credentials: { accessToken: peer.issueAccessToken() } } });
    expect(patched.body.connector).toMatchObject({ status: 'active', pausedReason: null });
  });

  it('refreshes an expired session with the refresh token once, even for concurrent reads, and stores the new token encrypted', async () => {
    const staleToken = peer.issueAccessToken();
    const id = await registerConnector(hub, tenant, {
      type: 'salesforce',
      config: config(),
      credentials: { clientId: 'hub-connected-app', clientSecret: 'hub-connected-app-secret', refreshToken: '5Aep-refresh-token', accessToken: staleToken },
    });
    peer.expireAccessTokens([staleToken]);
    const before = peer.tokenRequests.refresh_token ?? 0;
    const run = runtimeOf(hub);
    const pages = await Promise.all([1, 2, 3].map(() => run(tenant.id, id, ({ instance }) => instance.readPage('Opportunity', null, 200))));
    expect(pages.map((page) => page.records.length)).toEqual([50, 50, 50]);
    expect((peer.tokenRequests.refresh_token ?? 0) - before).toBe(1);
    const stored = await hub.db.withTenant(tenant.id, async (trx) =>
      openConnectorCredentials<{ accessToken: string; refreshToken: string }>(trx, hub.vault, (await findConnectorRow(trx, tenant.id, id))!),
    );
    expect(stored.accessToken).not.toBe(staleToken);
    expect(stored.refreshToken).toBe('5Aep-refresh-token');
    const audit = await owner('audit_log').where({ tenant_id: tenant.id, target_id: id, action: 'connector.credentials_rotated' }).count({ count: '*' });
    expect(Number(audit[0]!.count)).toBe(1);
  });

  it('gets a token with the JWT bearer flow (RS256 assertion) and a revoked refresh token is an AuthError', async () => {
    const jwt = await registerConnector(hub, tenant, {
      type: 'salesforce',
      config: config(),
      credentials: {
        clientId: 'hub-connected-app',
        username: 'integration@acme.test',
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    const before = peer.tokenRequests['urn:ietf:params:oauth:grant-type:jwt-bearer'] ?? 0;
    const tested = await runtimeOf(hub)(tenant.id, jwt, ({ instance }) => instance.testConnection());
    expect(tested.details).toMatchObject({ apiVersion: '62.0', dailyApiRequests: { Max: 100000 } });
    expect((peer.tokenRequests['urn:ietf:params:oauth:grant-type:jwt-bearer'] ?? 0) - before).toBe(1);

    const revoked = await registerConnector(hub, tenant, {
      type: 'salesforce',
      config: config(),
      credentials: { clientId: 'hub-connected-app', clientSecret: 'hub-connected-app-secret', refreshToken: 'revoked' },
    });
    const failure = await failureOf(runtimeOf(hub)(tenant.id, revoked, ({ instance }) => instance.testConnection()));
    expect(failure.type).toBe(CONNECTOR_FAILURE_TYPES.auth);
    expect(failure.message).toMatch(/invalid_grant/);
  });

  it('honours 429 Retry-After: the connectorTest workflow retries after the server-given delay', async () => {
    peer.faults.add({
      fault: { kind: 'status', status: 429, retryAfterSeconds: 2, body: [{ message: 'Too many requests', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] },
      match: /\/limits$/,
    });
    const startedAt = Date.now();
    const response = await hub.request('POST', `/v1/connectors/${accessConnector}/test`, { key: tenant.key });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ok: true, details: { apiVersion: '62.0' }, workflowId: expect.stringMatching(/^connector-test\//) });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_000);
    expect(peer.faults.applied.status).toBe(1);
    const history = await hub.temporal.workflow.getHandle(response.body.workflowId).fetchHistory();
    // The test activity ran twice: the 429, then (after the server's Retry-After) the success.
    const started = history
      .events!.filter((event) => event.activityTaskStartedEventAttributes)
      .map((event) => event.activityTaskStartedEventAttributes!.attempt);
    expect(started).toEqual([2, 1]);
    await recordHistory(hub.temporal, response.body.workflowId, WORKFLOW_TYPES.connectorTest);
  });

  it('classifies 500 and dropped connections as transient (retryable) and an unknown object as ConfigError', async () => {
    const run = runtimeOf(hub);
    peer.faults.add({ fault: { kind: 'status', status: 500, body: [{ message: 'boom', errorCode: 'UNKNOWN_EXCEPTION' }] }, match: /\/query/ });
    const serverError = await failureOf(run(tenant.id, accessConnector, ({ instance }) => instance.readPage('Contact', null, 200)));
    expect([serverError.type, serverError.nonRetryable]).toEqual([CONNECTOR_FAILURE_TYPES.transient, false]);
    peer.faults.add({ fault: { kind: 'reset' }, match: /\/query/ });
    const reset = await failureOf(run(tenant.id, accessConnector, ({ instance }) => instance.readPage('Contact', null, 200)));
    expect(reset.type).toBe(CONNECTOR_FAILURE_TYPES.transient);
    const unknown = await failureOf(run(tenant.id, accessConnector, ({ instance }) => instance.readPage('Lead', null, 200)));
    expect([unknown.type, unknown.nonRetryable]).toEqual([CONNECTOR_FAILURE_TYPES.config, true]);
  });

  it('upserts by external id (created, then updated)', async () => {
    const run = runtimeOf(hub);
    const records = [1, 2, 3].map((n) => ({ External_Id__c: `hub-${n}`, Name: `Hub account ${n}` }));
    const first = await run(tenant.id, accessConnector, ({ instance }) => instance.write!('Account', records));
    expect(first.results.map((result) => [result.ok, result.created])).toEqual([
      [true, true],
      [true, true],
      [true, true],
    ]);
    const second = await run(tenant.id, accessConnector, ({ instance }) =>
      instance.write!(
        'Account',
        records.map((record) => ({ ...record, Name: `${record.Name} v2` })),
      ),
    );
    expect(second.results.map((result) => [result.ok, result.created])).toEqual([
      [true, false],
      [true, false],
      [true, false],
    ]);
    expect(peer.org.findByField('Account', 'External_Id__c', 'hub-2')!.Name).toBe('Hub account 2 v2');
  });
});
