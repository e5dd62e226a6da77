import { monthlyUsage } from '../../platform/metering/recordUsage';
import { sfTime } from '../peers/salesforce/salesforceData';
import { startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { closedExecutionStatus } from '../support/closedExecution';
import { registerConnector } from '../support/connectors';
import { startTestHub } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { recordHistory } from '../support/recordHistory';
import { finishedJob, readChanges, startSync } from '../support/syncs';

/**
 * The sync engine end to end on the Salesforce peer: 20,000 records over many pages, then an
 * incremental run after the peer changed 500 and deleted 50, the change feed, 500s and 429s on
 * the way, and a run long enough to continue as new.
 */
describe('sync engine: Salesforce', () => {
  const counts = { Account: 12_000, Contact: 5_000, Opportunity: 3_000 };
  const TOTAL = 20_000;
  const peer = useStarted(() => startSalesforcePeer({ port: 0, records: counts }));
  const { hub, tenant, owner } = useHub({ env: { SYNC_PAGE_SIZE: '1000' }, tenants: [{}] });
  const config = () => ({ instanceUrl: peer.url, loginUrl: peer.url, apiVersion: '62.0' });
  afterEach(() => peer.faults.clear());

  const rowsOf = async (connectorId: string) => owner('records').where({ connector_id: connectorId });
  /** Records the peer has that are not in its recycle bin (earlier tests delete some). */
  const liveRecords = (streams: string[]) =>
    streams.reduce((sum, stream) => sum + [...peer.org.table(stream).values()].filter((record) => !record.IsDeleted).length, 0);

  it('lands 20,000 records exactly once; an incremental run reports 500 updated and 50 deleted, and the feed returns exactly those 550 changes', async () => {
    const connectorId = await registerConnector(hub, tenant, {
      type: 'salesforce',
      name: 'Acme org',
      config: config(),
      credentials: { accessToken: peer.issueAccessToken() },
    });
    const started = await startSync(hub, tenant, connectorId);
    expect(started).toMatchObject({ kind: 'sync', status: 'queued', workflowId: `sync/${tenant.slug}/${connectorId}/runs/${started.id}` });
    expect(started.temporalUiUrl).toContain(encodeURIComponent(started.workflowId));

    const first = await finishedJob(hub, tenant, started.id);
    expect(first.status).toBe('completed');
    expect(first.result.totals).toMatchObject({ read: TOTAL, inserted: TOTAL, updated: 0, deleted: 0, unchanged: 0 });
    expect(first.result.streams.Account).toMatchObject({ read: 12_000, inserted: 12_000, status: 'completed' });
    expect(first.result.totals.pages).toBeGreaterThanOrEqual(20);
    expect(first.progress).toMatchObject({ phase: 'completed', done: TOTAL, streamsDone: 3, state: 'completed' });

    const rows = await rowsOf(connectorId);
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((row) => `${row.stream}/${row.external_id}`)).size).toBe(TOTAL);
    expect(rows.filter((row) => row.stream === 'Contact')).toHaveLength(5_000);
    const account = rows.find((row) => row.external_id === '001000000000001AAA')!;
    expect(account).toMatchObject({ stream: 'Account', deleted_at: null, data: expect.objectContaining({ Name: 'Account 1', Id: '001000000000001AAA' }) });
    expect(account.data_hash).toMatch(/^[0-9a-f]{32}$/);

    // Ops: the run is findable by tenant, kind and connector, with a memo naming the connector.
    const description = await hub.temporal.workflow.getHandle(started.workflowId).describe();
    const attributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
    expect(attributes).toMatchObject({ TenantId: tenant.id, TenantSlug: tenant.slug, JobKind: 'sync', ConnectorType: 'salesforce', ConnectorId: connectorId });
    expect(description.memo).toMatchObject({ connectorName: 'Acme org', streams: 'all', mode: 'incremental' });

    // The ledger, the usage meter and the outbox agree.
    const runs = await hub.request('GET', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key });
    expect(runs.status).toBe(200);
    expect(runs.body.data[0]).toMatchObject({
      id: started.id,
      status: 'completed',
      mode: 'incremental',
      trigger: 'api',
      totals: { read: TOTAL, inserted: TOTAL },
    });
    expect(runs.body.data[0].streams.map((stream: { stream: string }) => stream.stream)).toEqual(['Account', 'Contact', 'Opportunity']);
    expect(runs.body.data[0].streams[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(await monthlyUsage(hub.db, tenant.id, 'sync_records')).toBe(TOTAL);
    const completedEvents = await owner('events').where({ tenant_id: tenant.id, type: 'sync.completed' });
    expect(completedEvents.filter((event) => event.data.jobId === started.id)).toHaveLength(1);

    // The feed from the beginning: every record once.
    const initial = await readChanges(hub, tenant, { connectorId, atLeast: TOTAL });
    expect(initial.changes).toHaveLength(TOTAL);

    // The source changes 500 records and deletes 50 (recycle bin and hard deletes).
    const accounts = [...peer.org.table('Account').keys()];
    const contacts = [...peer.org.table('Contact').keys()];
    const updatedIds = [...accounts.slice(100, 500), ...contacts.slice(0, 100)];
    updatedIds.slice(0, 400).forEach((id) => peer.org.update('Account', id, { Name: `Renamed ${id}` }));
    updatedIds.slice(400).forEach((id) => peer.org.update('Contact', id, { LastName: `Renamed ${id}` }));
    const deletedIds = [...accounts.slice(2_000, 2_030), ...contacts.slice(1_000, 1_020)];
    deletedIds.slice(0, 30).forEach((id, index) => (index % 2 === 0 ? peer.org.delete('Account', id) : peer.org.purge('Account', id)));
    deletedIds.slice(30).forEach((id) => peer.org.delete('Contact', id));
    // Salesforce's /deleted takes whole seconds (jsforce formats start/end to the second): let the second of the last deletion end.
    const lastDeletion = Math.max(...peer.org.deletedLog.get('Account')!.map((entry) => sfTime(entry.deletedDate)));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.floor(lastDeletion / 1_000) * 1_000 + 1_050 - Date.now())));

    const second = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
    expect(second.status).toBe('completed');
    // An increment counts only what changed since the cursor; the lookback window before it
    // (300 s: a few hundred seeded records per stream) is read again and counted unchanged, and
    // is not metered.
    expect(second.result.totals).toMatchObject({ inserted: 0, updated: 500, deleted: 50 });
    const { read, unchanged } = second.result.totals as { read: number; unchanged: number };
    expect(read).toBe(550 + unchanged);
    expect(unchanged).toBeGreaterThan(0);
    expect(unchanged).toBeLessThan(3 * 400);
    expect(await monthlyUsage(hub.db, tenant.id, 'sync_records')).toBe(TOTAL + 550);

    const increment = await readChanges(hub, tenant, { cursor: initial.cursor, atLeast: 550 });
    expect(increment.changes).toHaveLength(550);
    expect(new Set(increment.changes.filter((change) => change.deletedAt === null).map((change) => change.externalId))).toEqual(new Set(updatedIds));
    expect(new Set(increment.changes.filter((change) => change.deletedAt !== null).map((change) => change.externalId))).toEqual(new Set(deletedIds));
    expect(increment.changes.find((change) => change.externalId === updatedIds[0])!.data.Name).toBe(`Renamed ${updatedIds[0]}`);
    // Nothing else happened: polling with the new cursor is empty and keeps the cursor.
    const after = await hub.request('GET', `/v1/records?cursor=${increment.cursor}`, { key: tenant.key });
    expect(after.body).toEqual({ data: [], nextCursor: increment.cursor, hasMore: false });
    expect(await owner('records').where({ connector_id: connectorId }).whereNotNull('deleted_at')).toHaveLength(50);

    // A full refresh re-reads all 19,950 live records: every one unchanged, nothing rewritten, no change in the feed.
    const sample = await owner('records').where({ connector_id: connectorId, external_id: accounts[7_000] }).first();
    const refresh = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { mode: 'full_refresh' })).id);
    expect(refresh.status).toBe('completed');
    expect(refresh.result.totals).toMatchObject({ read: TOTAL - 50, unchanged: TOTAL - 50, inserted: 0, updated: 0, deleted: 0 });
    expect(await owner('records').where({ connector_id: connectorId, external_id: accounts[7_000] }).first()).toMatchObject({
      synced_at: sample.synced_at,
      change_seq: sample.change_seq,
    });
    expect((await readChanges(hub, tenant, { cursor: increment.cursor })).changes).toEqual([]);
  });

  it('rides out 500s and 429s from the source: the same rows, with the retries in the run stats', async () => {
    const other = await hub.createTenant();
    const connectorId = await registerConnector(hub, other, { type: 'salesforce', config: config(), credentials: { accessToken: peer.issueAccessToken() } });
    peer.faults.add({
      fault: { kind: 'status', status: 500, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'try later' }] },
      match: /GET \/services\/data\/v62\.0\/query/,
      after: 2,
      times: 2,
    });
    peer.faults.add({
      fault: { kind: 'status', status: 429, retryAfterSeconds: 1, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }] },
      match: /GET \/services\/data\/v62\.0\/query/,
      after: 8,
      times: 2,
    });
    const started = await startSync(hub, other, connectorId);
    const job = await finishedJob(hub, other, started.id);
    expect(job.status).toBe('completed');
    const live = liveRecords(['Account', 'Contact', 'Opportunity']);
    expect(job.result.totals).toMatchObject({ read: live, inserted: live, rateLimited: 2 });
    expect(job.result.totals.retries).toBe(4);
    expect(peer.faults.applied.status).toBe(4);

    const rows = await rowsOf(connectorId);
    expect(rows).toHaveLength(live);
    expect(new Set(rows.map((row) => `${row.stream}/${row.external_id}`)).size).toBe(live);
    expect(await monthlyUsage(hub.db, other.id, 'sync_records')).toBe(live);
    const runs = await hub.request('GET', `/v1/connectors/${connectorId}/syncs`, { key: other.key });
    expect(runs.body.data[0].totals).toMatchObject({ retries: 4, rateLimited: 2 });
    await recordHistory(hub.temporal, started.workflowId, 'connectorSyncWithRetries');
  });

  it('continues as new on long runs and still lands every record once', async () => {
    const longHub = await startTestHub({ SYNC_PAGE_SIZE: '500', SYNC_CONTINUE_AS_NEW_AFTER_PAGES: '4', SYNC_MAX_PARALLEL_STREAMS: '2' });
    try {
      const longTenant = await longHub.createTenant();
      const connectorId = await registerConnector(longHub, longTenant, {
        type: 'salesforce',
        config: config(),
        credentials: { accessToken: peer.issueAccessToken() },
      });
      const started = await startSync(longHub, longTenant, connectorId, { streams: ['Contact', 'Opportunity'] });
      const job = await finishedJob(longHub, longTenant, started.id);
      expect(job.status).toBe('completed');
      const live = liveRecords(['Contact', 'Opportunity']);
      expect(job.result.totals).toMatchObject({ read: live, inserted: live });
      expect(job.progress.continuations).toBeGreaterThanOrEqual(3);
      expect(await owner('records').where({ connector_id: connectorId }).count({ n: '*' })).toEqual([{ n: String(live) }]);

      // The chain: the first run continued as new; the latest run completed with the search attributes kept.
      const firstRun = await longHub.temporal.workflow.getHandle(started.workflowId, (await owner('jobs').where({ id: started.id }).first()).run_id).describe();
      expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
      expect(await closedExecutionStatus(longHub.temporal, started.workflowId)).toBe('COMPLETED');
      const latest = await longHub.temporal.workflow.getHandle(started.workflowId).describe();
      expect(Object.fromEntries(latest.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]))).toMatchObject({
        JobKind: 'sync',
        ConnectorId: connectorId,
      });
      await recordHistory(longHub.temporal, started.workflowId, 'connectorSyncContinuedAsNew', firstRun.runId);
    } finally {
      await longHub.stop();
    }
  });
});
