import { findConnectorRow, openConnectorCredentials } from '../../platform/connectorStore';
import { startSagePeer, type SagePeer } from '../peers/sage/sagePeer';
import { registerConnector } from '../support/connectors';
import { useHub, useStarted } from '../support/harness';
import { finishedJob, readChanges, startSync } from '../support/syncs';

/**
 * The shipped Sage definition end to end through the API and Temporal: a full sync, an increment
 * with changes and deletions, a 429 storm, an expired access token (refreshed, the rotated pair
 * stored) and a spent refresh token (the connector pauses).
 */
describe('sync engine: Sage Business Cloud Accounting (shipped declarative definition)', () => {
  const PER_RESOURCE = 900;
  const { hub, tenant, owner } = useHub({ env: { SYNC_PAGE_SIZE: '500' }, tenants: [{}] });
  const peer: SagePeer = useStarted(() => startSagePeer({ port: 0, records: PER_RESOURCE, seed: 11 }), 'the Sage peer');
  afterEach(() => peer.faults.clear());

  const liveRows = async (connectorId: string, stream: string) =>
    Number((await owner('records').where({ connector_id: connectorId, stream }).whereNull('deleted_at').count({ n: '*' }).first())!.n);
  const register = () =>
    registerConnector(hub, tenant, {
      type: 'sage-accounting',
      config: { businessId: peer.businessId, baseUrl: peer.apiUrl, tokenUrl: peer.tokenUrl },
      credentials: peer.issueCredentials(),
    });
  const storedCredentials = (connectorId: string) =>
    hub.db.withTenant(tenant.id, async (trx) =>
      openConnectorCredentials<{ refreshToken: string; accessToken: string }>(trx, hub.vault, (await findConnectorRow(trx, tenant.id, connectorId))!),
    );

  it('full sync, then an increment with changes and deletions, through a 429 storm and an expired token', async () => {
    const connectorId = await register();
    const tested = await hub.request('POST', `/v1/connectors/${connectorId}/test`, { key: tenant.key });
    expect(tested.body).toMatchObject({ ok: true });

    const first = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
    expect(first.status).toBe('completed');
    expect(first.result.totals).toMatchObject({ read: 2 * PER_RESOURCE, inserted: 2 * PER_RESOURCE, deleted: 0 });
    expect(Object.keys(first.result.streams).sort()).toEqual(['contacts', 'sales_invoices']);
    expect(await liveRows(connectorId, 'contacts')).toBe(PER_RESOURCE);
    const contact = await owner('records').where({ connector_id: connectorId, stream: 'contacts' }).first();
    expect(contact.data).toMatchObject({ id: contact.external_id, name: expect.any(String) });
    const feed = await readChanges(hub, tenant, { connectorId, atLeast: 2 * PER_RESOURCE });
    expect(feed.changes).toHaveLength(2 * PER_RESOURCE);

    // Changes and deletions, then the increment through a storm of 429s and with every access token expired.
    const contacts = peer.store.liveIds('contacts');
    peer.store.modify('contacts', contacts.slice(0, 12));
    peer.store.remove('contacts', contacts.slice(100, 105));
    peer.store.remove('sales_invoices', peer.store.liveIds('sales_invoices').slice(0, 2));
    peer.expireAccessTokens();
    const before = await storedCredentials(connectorId);
    const tokenCalls = peer.tokenCalls;
    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, match: /GET \/v3\.1\//, times: 6 });

    const second = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
    expect(second.status).toBe('completed');
    expect(second.result.totals).toMatchObject({ updated: 12, inserted: 0, deleted: 7 });
    expect(second.result.totals.rateLimited).toBeGreaterThanOrEqual(1);
    expect(peer.faults.applied.status).toBeGreaterThanOrEqual(6);
    expect(await liveRows(connectorId, 'contacts')).toBe(PER_RESOURCE - 5);
    expect(await liveRows(connectorId, 'sales_invoices')).toBe(PER_RESOURCE - 2);
    // One refresh for the connector (serialised across its parallel streams), its rotated pair stored.
    expect(peer.tokenCalls - tokenCalls).toBe(1);
    expect(peer.reusedRefreshTokens).toBe(0);
    const after = await storedCredentials(connectorId);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    const deletedFeed = await readChanges(hub, tenant, { connectorId, cursor: feed.cursor, atLeast: 19 });
    expect(deletedFeed.changes.filter((change) => change.deletedAt !== null)).toHaveLength(7);

    // Nothing changed since: the next increment reads only the lookback window again, unchanged.
    const third = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
    expect(third.result.totals).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
  });

  it('a refresh token spent elsewhere pauses the connector (auth_failed)', async () => {
    const connectorId = await register();
    const stored = await storedCredentials(connectorId);
    // Another installation uses the refresh token first.
    await fetch(peer.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: stored.refreshToken,
        client_id: peer.clientId,
        client_secret: peer.clientSecret,
      }),
    });
    peer.expireAccessTokens();
    const job = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
    expect(job.status).toBe('failed');
    const connector = await hub.request('GET', `/v1/connectors/${connectorId}`, { key: tenant.key });
    expect(connector.body.connector).toMatchObject({
      status: 'paused',
      pausedReason: expect.stringMatching(/^auth_failed/),
      streams: ['contacts', 'sales_invoices'],
    });
  });
});
