import { randomUUID } from 'node:crypto';
import { recordUsage } from '../../platform/metering/recordUsage';
import { useHub } from '../support/harness';
import { eventually } from '../support/eventually';

/**
 * Dashboard and usage figures against a known sequence of requests, jobs and metered usage: every
 * number is asserted exactly. Both read the daily rollups (whole days) and raw rows (partial days).
 */
describe('analytics: dashboard and usage', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{ plan: 'professional' }] });
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const previousStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  // Inside the previous period (the same stretch of last month) whatever the date today.
  const inPreviousPeriod = new Date(previousStart.getTime() + Math.min(60_000, Math.floor((now.getTime() - monthStart.getTime()) / 2)));

  async function job(kind: string, outcome: 'completed' | 'completed_with_errors' | 'failed' | 'cancelled', finishedAt?: Date) {
    const id = randomUUID();
    if (finishedAt) {
      await owner('jobs').insert({
        id,
        tenant_id: tenant.id,
        kind,
        status: outcome,
        workflow_id: `job/${tenant.slug}/${kind}/${id}`,
        created_at: new Date(finishedAt.getTime() - 5_000),
        started_at: new Date(finishedAt.getTime() - 4_000),
        finished_at: finishedAt,
      });
      return;
    }
    await owner('jobs').insert({
      id,
      tenant_id: tenant.id,
      kind,
      status: 'running',
      workflow_id: `job/${tenant.slug}/${kind}/${id}`,
      started_at: owner.raw(`now() - interval '1 minute'`),
    });
    await owner('jobs').where({ id }).update({ status: outcome, finished_at: owner.fn.now() });
  }

  it('reports exactly what happened', async () => {
    // Last month: 3 API calls, 100 synced records and a completed job, in the comparable stretch.
    for (let index = 0; index < 3; index += 1) {
      await recordUsage(hub.db, {
        tenantId: tenant.id,
        kind: 'api_call',
        quantity: 1,
        occurredAt: inPreviousPeriod,
        method: 'GET',
        route: '/v1/users',
        status: 200,
        latencyMs: 4,
        costUnits: 1,
      });
    }
    await recordUsage(hub.db, { tenantId: tenant.id, kind: 'sync_records', quantity: 100, occurredAt: inPreviousPeriod, dedupeKey: 'previous-sync' });
    await job('export', 'completed', inPreviousPeriod);

    // This month: 11 API calls (one 404), two export jobs through the API, other outcomes as the
    // job lifecycle writes them, 250 synced records, 10,012 scans (12 past the plan's 10,000).
    for (let index = 0; index < 5; index += 1) expect((await hub.request('GET', '/v1/tenant', { key: tenant.key })).status).toBe(200);
    for (let index = 0; index < 2; index += 1) expect((await hub.request('GET', '/v1/users', { key: tenant.key })).status).toBe(200);
    expect((await hub.request('GET', `/v1/users/${randomUUID()}`, { key: tenant.key })).status).toBe(404);
    expect((await hub.request('POST', '/v1/users', { key: tenant.key, body: { email: 'new@example.test', name: 'New', role: 'viewer' } })).status).toBe(201);
    const exports: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      const started = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } });
      expect(started.status).toBe(202);
      exports.push(started.body.job.id);
    }
    await eventually(
      async () => ((await owner('jobs').whereIn('id', exports).where({ status: 'completed' })).length === 2 ? true : undefined),
      60_000,
      'the exports',
    );
    await job('export', 'failed');
    // Finished with some rows failed: ended, but not a success.
    await job('user_import', 'completed_with_errors');
    await job('sync', 'completed');
    await job('sync', 'failed');
    await job('sync', 'cancelled');
    await recordUsage(hub.db, { tenantId: tenant.id, kind: 'sync_records', quantity: 250, dedupeKey: 'current-sync' });
    await recordUsage(hub.db, { tenantId: tenant.id, kind: 'scan', quantity: 10_012, dedupeKey: 'current-scans' });

    const dashboard = await hub.request('GET', '/v1/analytics/dashboard', { key: tenant.key });
    expect(dashboard.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const body = dashboard.body;
    expect(body.period).toMatchObject({ month: monthStart.toISOString().slice(0, 7), from: monthStart.toISOString() });
    expect(body.previousPeriod.from).toBe(previousStart.toISOString());
    expect(body).toMatchObject({
      activeUsers: 1,
      users: { active: 1, invited: 1, suspended: 0, billableSeats: 2, includedSeats: 200 },
      apiCalls: { total: 11, billable: 11, errors: 1, errorRate: 0.0909, avgLatencyMs: expect.any(Number) },
      quota: { limit: 50_000, used: 11, remaining: 49_989, percentUsed: 0, policy: 'bill_overage' },
      monthToDateCost: { currency: 'usd', planCents: 79_900, seatOverageCents: 0, apiCallOverageCents: 0, scanOverageCents: 96, totalCents: 79_996 },
      jobs: { total: 7, completed: 3, completedWithErrors: 1, failed: 2, cancelled: 1, successRate: 0.5 },
      syncs: { total: 3, completed: 1, completedWithErrors: 0, failed: 1, cancelled: 1, successRate: 0.5 },
      jobSuccessRate: 0.5,
      syncSuccessRate: 0.5,
      recordsSynced: 250,
      scans: 10_012,
      trend: {
        apiCalls: { current: 11, previous: 3, changePercent: 266.7 },
        jobsCompleted: { current: 3, previous: 1, changePercent: 200 },
        jobSuccessRate: { current: 0.5, previous: 1, changePercent: -50 },
        recordsSynced: { current: 250, previous: 100, changePercent: 150 },
      },
    });
    expect(body.topEndpoints.map((row: { endpoint: string; calls: number; errors: number }) => [row.endpoint, row.calls, row.errors])).toEqual([
      ['GET /v1/tenant', 5, 0],
      ['GET /v1/users', 2, 0],
      ['POST /v1/jobs', 2, 0],
      ['GET /v1/users/:id', 1, 1],
      ['POST /v1/users', 1, 0],
    ]);
    expect(body.daily).toEqual([{ day: today, apiCalls: 11, errors: 1 }]);

    // GET /v1/usage: the same figures, now with the dashboard call itself (metered after it answered).
    const byKind = await hub.request('GET', '/v1/usage?groupBy=kind', { key: tenant.key });
    expect(byKind.body.totals).toEqual({ api_call: 12, scan: 10_012, sync_records: 250 });
    const byEndpoint = await hub.request('GET', '/v1/usage?groupBy=endpoint&kind=api_call', { key: tenant.key });
    const endpoints = Object.fromEntries(byEndpoint.body.data.map((row: { key: string; events: number }) => [row.key, row.events]));
    expect(endpoints).toEqual({
      'GET /v1/tenant': 5,
      'GET /v1/users': 2,
      'GET /v1/users/:id': 1,
      'POST /v1/users': 1,
      'POST /v1/jobs': 2,
      'GET /v1/analytics/dashboard': 1,
      'GET /v1/usage': 1,
    });

    // Ranges that cut days read the raw events for the partial days: same answer as the rollups.
    const from = new Date(monthStart.getTime() + 1).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const partial = await hub.request('GET', `/v1/usage?groupBy=day&kind=api_call&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, {
      key: tenant.key,
    });
    const whole = await hub.request('GET', '/v1/usage?groupBy=day&kind=api_call', { key: tenant.key });
    const strip = (rows: Array<Record<string, unknown>>) =>
      rows.map(({ key, events, quantity, errors, costUnits }) => ({ key, events, quantity, errors, costUnits }));
    // `whole` also counts the `partial` call itself.
    expect(strip(partial.body.data)).toEqual([{ key: today, events: 14, quantity: 14, errors: 1, costUnits: 14 }]);
    expect(strip(whole.body.data)).toEqual([{ key: today, events: 15, quantity: 15, errors: 1, costUnits: 15 }]);
    const previous = await hub.request('GET', `/v1/usage?groupBy=kind&from=${previousStart.toISOString()}&to=${monthStart.toISOString()}`, { key: tenant.key });
    expect(previous.body.totals).toEqual({ api_call: 3, sync_records: 100 });
  });
});
