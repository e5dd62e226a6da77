import { ScheduleNotFoundError } from '@temporalio/client';
import { startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { registerSalesforceConnector } from '../support/connectorFactories';
import { closedExecutionStatus } from '../support/closedExecution';
import { startTestHub } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/recordHistory';
import { finishedJob, jobWhen, startSync } from '../support/syncs';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

const ACCOUNTS = 4_000;
const QUERY = /GET \/services\/data\/v62\.0\/query/;

/**
 * Controlling syncs: one run per connector (409), pause/resume and cancel at page boundaries with
 * consistent cursors, schedules (overlap skip), the tenant's concurrent-sync cap, the connector
 * request budget, and auth failures (no retry, connector paused, events).
 */
describe('sync engine: control', () => {
  const peer = useStarted(() => startSalesforcePeer({ port: 0, records: { Account: ACCOUNTS, Contact: 0, Opportunity: 0 } }));
  const { hub, tenant, owner } = useHub({ env: { SYNC_PAGE_SIZE: '500' }, tenants: [{}] });
  afterEach(() => peer.faults.clear());

  const connector = (forTenant = tenant, credentials: Record<string, unknown> = { accessToken: peer.issueAccessToken() }) =>
    registerSalesforceConnector(hub, forTenant, peer, { credentials });
  const slowPages = (delayMs = 300) => peer.faults.add({ fault: { kind: 'latency', delayMs }, match: QUERY, times: Infinity });
  const committedPages = async (jobId: string) =>
    Number((await owner('sync_run_streams').where({ run_id: jobId }).sum({ pages: 'pages' }).first())?.pages ?? 0);
  const rowCount = async (connectorId: string) => Number((await owner('records').where({ connector_id: connectorId }).count({ n: '*' }).first())!.n);

  it('refuses a second run while one is active (409), unknown streams (400), paused connectors (409) and other tenants (404)', async () => {
    const connectorId = await connector();
    slowPages();
    const running = await startSync(hub, tenant, connectorId, { streams: ['Account'] });
    const again = await hub.request('POST', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SYNC_ALREADY_RUNNING');

    const unknown = await hub.request('POST', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key, body: { streams: ['Account', 'Lead'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'UNKNOWN_STREAM', details: [{ path: 'body.streams.1' }] });
    const other = await hub.createTenant();
    expect((await hub.request('POST', `/v1/connectors/${connectorId}/syncs`, { key: other.key, body: {} })).status).toBe(404);
    expect((await hub.request('GET', `/v1/connectors/${connectorId}/syncs`, { key: other.key })).status).toBe(404);

    await hub.request('POST', `/v1/jobs/${running.id}/cancel`, { key: tenant.key });
    expect((await finishedJob(hub, tenant, running.id)).status).toBe('cancelled');
    const paused = await connector();
    await hub.request('POST', `/v1/connectors/${paused}/pause`, { key: tenant.key });
    const refused = await hub.request('POST', `/v1/connectors/${paused}/syncs`, { key: tenant.key, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CONNECTOR_PAUSED');
  });

  it('pause holds the sync at a page boundary; resume finishes it with every record once', async () => {
    const connectorId = await connector();
    slowPages();
    const started = await startSync(hub, tenant, connectorId, { streams: ['Account'] });
    await eventually(async () => ((await committedPages(started.id)) >= 2 ? true : undefined), 30_000, 'two pages');

    const pause = await hub.request('POST', `/v1/connectors/${connectorId}/pause`, { key: tenant.key });
    expect(pause.status).toBe(200);
    expect(pause.body).toMatchObject({ connector: { status: 'paused', pausedReason: 'paused by user' }, sync: { jobId: started.id, signal: 'pause' } });
    const held = await jobWhen(hub, tenant, started.id, (job) => job.status === 'paused', 'the job to pause');
    expect(held.progress).toMatchObject({ state: 'paused', phase: 'sync' });
    // Held: no page commits while paused, and the stream's cursor matches what is stored.
    const pagesWhenHeld = await committedPages(started.id);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await committedPages(started.id)).toBe(pagesWhenHeld);
    expect(pagesWhenHeld).toBeLessThan(ACCOUNTS / 500);
    expect(await rowCount(connectorId)).toBe(pagesWhenHeld * 500);

    const resume = await hub.request('POST', `/v1/connectors/${connectorId}/resume`, { key: tenant.key });
    expect(resume.body).toMatchObject({ connector: { status: 'active', pausedReason: null }, sync: { jobId: started.id, signal: 'resume' } });
    const job = await finishedJob(hub, tenant, started.id);
    expect(job.status).toBe('completed');
    expect(job.result.totals).toMatchObject({ read: ACCOUNTS, inserted: ACCOUNTS });
    expect(await rowCount(connectorId)).toBe(ACCOUNTS);
    const audit = await owner('audit_log')
      .where({ tenant_id: tenant.id, target_id: connectorId })
      .whereIn('action', ['connector.paused', 'connector.resumed'])
      .orderBy('seq');
    expect(audit.map((row) => row.action)).toEqual(['connector.paused', 'connector.resumed']);
    await recordHistory(hub.temporal, started.workflowId, 'connectorSyncPausedAndResumed');
  });

  it('cancel finishes the page in flight and leaves the cursor consistent; the next run continues from it', async () => {
    const connectorId = await connector();
    slowPages();
    const started = await startSync(hub, tenant, connectorId, { streams: ['Account'] });
    await eventually(async () => ((await committedPages(started.id)) >= 2 ? true : undefined), 30_000, 'two pages');
    expect((await hub.request('POST', `/v1/jobs/${started.id}/cancel`, { key: tenant.key })).status).toBe(202);
    const cancelled = await finishedJob(hub, tenant, started.id);
    expect(cancelled.status).toBe('cancelled');
    expect(await closedExecutionStatus(hub.temporal, started.workflowId)).toBe('CANCELLED');

    const run = await owner('sync_runs').where({ id: started.id }).first();
    expect(run.status).toBe('cancelled');
    const ledger = await owner('sync_run_streams').where({ run_id: started.id, stream: 'Account' }).first();
    const state = await owner('sync_stream_state').where({ connector_id: connectorId, stream: 'Account' }).first();
    expect(state.page_no).toBe(ledger.pages);
    expect(await rowCount(connectorId)).toBe(Number(ledger.records_read));
    expect(state.done).toBe(false);
    expect(await owner('events').where({ tenant_id: tenant.id, type: 'sync.completed' }).whereRaw(`data->>'jobId' = ?`, [started.id])).toEqual([]);

    peer.faults.clear();
    const next = await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId, { streams: ['Account'] })).id);
    expect(next.status).toBe('completed');
    expect(next.result.totals.inserted).toBe(ACCOUNTS - Number(ledger.records_read));
    expect(await rowCount(connectorId)).toBe(ACCOUNTS);
  });

  it('a schedule of every 1m starts runs and skips overlapping ones; DELETE removes it', async () => {
    const connectorId = await connector();
    const put = await hub.request('PUT', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key, body: { every: '1m' } });
    expect(put.status).toBe(200);
    expect(put.body.schedule).toMatchObject({
      connectorId,
      every: '1m',
      scheduleId: `sync-schedule/${tenant.slug}/${connectorId}`,
      paused: false,
      nextRunAt: expect.any(String),
    });
    expect(Date.parse(put.body.schedule.nextRunAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const bad = await hub.request('PUT', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key, body: { every: '30s' } });
    expect(bad.status).toBe(400);

    const handle = hub.temporal.schedule.getHandle(put.body.schedule.scheduleId);
    const described = await handle.describe();
    expect(described.spec.intervals).toMatchObject([{ every: 60_000 }]);
    expect(described.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 60_000 });
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: WORKFLOW_TYPES.connectorSync,
      workflowId: `sync/${tenant.slug}/${connectorId}/scheduled`,
    });

    // Three minutes' worth of actions at once, while the first run is still going: two are skipped.
    slowPages(400);
    await handle.backfill({ start: new Date(Date.now() - 3 * 60_000), end: new Date() });
    const info = await eventually(
      async () => {
        const current = (await handle.describe()).info;
        return current.recentActions.length >= 1 && current.numActionsSkippedOverlap >= 2 ? current : undefined;
      },
      30_000,
      'the schedule to start one run and skip the overlapping ones',
    );
    expect(info.recentActions).toHaveLength(1);
    const workflowId = info.recentActions[0]!.action.workflow.workflowId;
    expect(workflowId).toMatch(new RegExp(`^sync/${tenant.slug}/${connectorId}/scheduled-`));

    const run = await eventually(async () => owner('sync_runs').where({ connector_id: connectorId, trigger: 'schedule' }).first(), 30_000, 'the scheduled run');
    const job = await finishedJob(hub, tenant, run.id);
    expect(job).toMatchObject({ kind: 'sync', status: 'completed', workflowId, params: { connectorId, mode: 'incremental' } });
    expect(job.result.totals.inserted).toBe(ACCOUNTS);
    const runs = await hub.request('GET', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key });
    expect(runs.body.data.map((entry: { trigger: string }) => entry.trigger)).toEqual(['schedule']);
    const description = await hub.temporal.workflow.getHandle(workflowId).describe();
    expect(Object.fromEntries(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]))).toMatchObject({
      TenantSlug: tenant.slug,
      JobKind: 'sync',
      ConnectorId: connectorId,
    });
    await recordHistory(hub.temporal, workflowId, 'connectorSyncScheduled');

    // Pausing the connector pauses the schedule.
    await hub.request('POST', `/v1/connectors/${connectorId}/pause`, { key: tenant.key });
    expect((await handle.describe()).state.paused).toBe(true);
    await hub.request('POST', `/v1/connectors/${connectorId}/resume`, { key: tenant.key });
    expect((await handle.describe()).state.paused).toBe(false);

    expect((await hub.request('DELETE', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key })).status).toBe(204);
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect((await hub.request('DELETE', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key })).status).toBe(404);
    const audit = await owner('audit_log')
      .where({ tenant_id: tenant.id, target_id: connectorId })
      .whereIn('action', ['connector.schedule_set', 'connector.schedule_deleted'])
      .orderBy('seq');
    expect(audit.map((row) => row.action)).toEqual(['connector.schedule_set', 'connector.schedule_deleted']);
  });

  it('reconcileEvery adds a schedule of reconcile runs; pause, a schedule without it and DELETE act on it', async () => {
    const connectorId = await connector();
    const put = await hub.request('PUT', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key, body: { every: '1h', reconcileEvery: '1d' } });
    expect(put.status).toBe(200);
    expect(put.body.schedule.reconcile).toMatchObject({ every: '1d', scheduleId: `sync-schedule/${tenant.slug}/${connectorId}/reconcile` });
    const reconcile = hub.temporal.schedule.getHandle(put.body.schedule.reconcile.scheduleId);
    const described = await reconcile.describe();
    const action = described.action as { workflowId: string; args?: Array<{ params: { mode: string } }> };
    expect(action.workflowId).toBe(`sync/${tenant.slug}/${connectorId}/reconcile`);
    expect(action.args?.[0]?.params.mode).toBe('reconcile');

    await hub.request('POST', `/v1/connectors/${connectorId}/pause`, { key: tenant.key });
    expect((await reconcile.describe()).state.paused).toBe(true);
    await hub.request('POST', `/v1/connectors/${connectorId}/resume`, { key: tenant.key });
    expect((await reconcile.describe()).state.paused).toBe(false);

    const withoutReconcile = await hub.request('PUT', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key, body: { every: '1h' } });
    expect(withoutReconcile.body.schedule.reconcile).toBeNull();
    await expect(reconcile.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);

    await hub.request('PUT', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key, body: { every: '1h', reconcileEvery: '12h' } });
    expect((await hub.request('DELETE', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key })).status).toBe(204);
    await expect(reconcile.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it("holds syncs beyond the tenant's concurrent-sync cap until a slot frees", async () => {
    const capped = await hub.createTenant();
    const patch = await hub.request('PATCH', '/v1/tenant', { key: capped.key, body: { settings: { limits: { maxConcurrentSyncs: 1 } } } });
    expect(patch.body.tenant.settings.limits.maxConcurrentSyncs).toBe(1);
    const [first, second] = [await connector(capped), await connector(capped)];
    slowPages(200);
    const a = await startSync(hub, capped, first, { streams: ['Account'] });
    await jobWhen(hub, capped, a.id, (job) => job.progress?.phase === 'sync', 'the first sync to run');
    const b = await startSync(hub, capped, second, { streams: ['Account'] });
    const waiting = await jobWhen(hub, capped, b.id, (job) => job.progress?.phase === 'waiting_for_slot', 'the second sync to wait');
    expect(waiting.progress.slots).toEqual({ running: 1, limit: 1 });

    expect((await finishedJob(hub, capped, a.id)).status).toBe('completed');
    expect((await finishedJob(hub, capped, b.id)).status).toBe('completed');
    const [runA, runB] = await Promise.all([owner('sync_runs').where({ id: a.id }).first(), owner('sync_runs').where({ id: b.id }).first()]);
    expect(runB.started_at.getTime()).toBeGreaterThanOrEqual(runA.finished_at.getTime());
    expect(await rowCount(second)).toBe(ACCOUNTS);
  });

  it('an auth failure fails the run without retry, pauses the connector and emits connector.auth_failed and sync.failed', async () => {
    const connectorId = await connector(tenant, { accessToken: 'revoked-session' });
    const started = await startSync(hub, tenant, connectorId, { streams: ['Account'] });
    const job = await finishedJob(hub, tenant, started.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'ConnectorAuthError' });
    const view = await hub.request('GET', `/v1/connectors/${connectorId}`, { key: tenant.key });
    expect(view.body.connector).toMatchObject({ status: 'paused', pausedReason: expect.stringMatching(/^auth_failed: /) });
    const runs = await hub.request('GET', `/v1/connectors/${connectorId}/syncs`, { key: tenant.key });
    expect(runs.body.data[0]).toMatchObject({ status: 'failed', error: { code: 'ConnectorAuthError' }, totals: { retries: 0, pages: 0 } });
    expect(runs.body.data[0].streams[0]).toMatchObject({ stream: 'Account', status: 'failed', error: { code: 'ConnectorAuthError' } });
    const events = await owner('events')
      .where({ tenant_id: tenant.id })
      .whereIn('type', ['connector.auth_failed', 'sync.failed'])
      .whereRaw(`data->>'connectorId' = ?`, [connectorId]);
    expect(events.map((event) => event.type).sort()).toEqual(['connector.auth_failed', 'sync.failed']);
    // One attempt only: Temporal did not retry the page.
    const history = await hub.temporal.workflow.getHandle(started.workflowId).fetchHistory();
    const pageFailures = history
      .events!.filter((event) => event.activityTaskStartedEventAttributes)
      .map((event) => event.activityTaskStartedEventAttributes!.attempt ?? 0);
    expect(Math.max(...pageFailures)).toBe(1);
  });

  it('spreads pages over the connector request budget with durable waits', async () => {
    const budgetHub = await startTestHub({ SYNC_PAGE_SIZE: '500', SYNC_CONNECTOR_REQUEST_BUDGET: '3/2s' });
    try {
      const budgetTenant = await budgetHub.createTenant();
      const connectorId = await registerSalesforceConnector(budgetHub, budgetTenant, peer);
      const started = await startSync(budgetHub, budgetTenant, connectorId, { streams: ['Account'] });
      const job = await finishedJob(budgetHub, budgetTenant, started.id);
      expect(job.status).toBe('completed');
      expect(job.result.totals).toMatchObject({ read: ACCOUNTS, inserted: ACCOUNTS });
      expect(job.result.totals.throttled).toBeGreaterThanOrEqual(1);
      const history = await budgetHub.temporal.workflow.getHandle(started.workflowId).fetchHistory();
      expect(history.events!.some((event) => event.timerStartedEventAttributes)).toBe(true);
    } finally {
      await budgetHub.stop();
    }
  });
});
