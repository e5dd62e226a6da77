import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { ensureBillingSchedule } from '../../platform/billing/billingSchedule';
import { periodOf, previousPeriod } from '../../platform/billing/periods';
import { createLogger } from '../../platform/logger';
import { startStripePeer } from '../peers/stripe/stripePeer';
import { addUsers, billingEnv, billingRunFinished, recordUsageEvents, removeUsers, startBillingRun, stripeInvoicesOf, stripeOf } from '../support/billing';
import { ownerDb, uniqueSuffix, type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/recordHistory';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import type { monthlyBilling } from '../../workflows/monthlyBilling';

/**
 * Monthly billing end to end on the real stack: usage rollups → monthlyBilling → one tenantInvoice
 * child per tenant → Stripe (localstripe) → invoices in Postgres, the API and exports.
 *
 * Expected totals, by hand from the catalogue (cents):
 * - starter A: plan 29,900 + 15 extra seats (peak 65, 50 included) × 600 + 500 extra scans × 10 = 43,900
 *   (12,000 API calls: starter refuses past its quota instead of billing overage);
 * - professional B: plan 79,900 + 8 started blocks of 1,000 API calls (57,340 − 50,000) × 400 = 83,100;
 * - enterprise C: plan 199,900 + 3 extra seats × 200 + 250 extra scans × 5 = 201,750.
 */
describe('monthly billing', () => {
  const period = periodOf(new Date());
  const periodStart = new Date(`${period}-01T00:00:00Z`);
  const peer = useStarted(() => startStripePeer({ port: 0 }));
  const {
    hub,
    tenants: [a, b, c],
  } = useHub({ env: () => billingEnv(peer), tenants: [{ plan: 'starter' }, { plan: 'professional' }, { plan: 'enterprise' }] });
  let stripe: Stripe;
  let firstRunId: string;

  beforeAll(async () => {
    stripe = stripeOf(peer);

    // Seats: A peaks at 65 (admin + 64) before 5 leave; suspended users are not billable. C has 1,003.
    await addUsers(a.id, 40, 'active');
    const invited = await addUsers(a.id, 24, 'invited');
    await removeUsers(invited.slice(0, 5));
    await addUsers(a.id, 3, 'suspended');
    await addUsers(c.id, 1_002, 'active');

    await recordUsageEvents(hub, a.id, [
      { kind: 'api_call', quantity: 12_000 },
      { kind: 'scan', quantity: 1_500 },
    ]);
    await recordUsageEvents(hub, b.id, [
      { kind: 'api_call', quantity: 57_000 },
      // Late: recorded now, happened in the first hour of the period: billed in this period.
      { kind: 'api_call', quantity: 340, occurredAt: new Date(periodStart.getTime() + 3_600_000) },
      // Late too, but it happened in the month before: never part of this period.
      { kind: 'api_call', quantity: 5_000, occurredAt: new Date(periodStart.getTime() - 1_000) },
    ]);
    await recordUsageEvents(hub, c.id, [
      { kind: 'api_call', quantity: 150_000 },
      { kind: 'scan', quantity: 100_250 },
      { kind: 'sync_records', quantity: 5_000 },
    ]);
  });

  it('rolls usage up by the day it happened (late events included) and seats by their daily peak', async () => {
    const owner = ownerDb();
    try {
      const daily = await owner('usage_daily')
        .where({ tenant_id: b.id, kind: 'api_call' })
        .orderBy('day')
        .select(owner.raw(`to_char(day, 'YYYY-MM-DD') as day`), 'quantity');
      const previousDay = new Date(periodStart.getTime() - 1_000).toISOString().slice(0, 10);
      expect(daily.find((row) => row.day === previousDay)?.quantity).toBe('5000');
      const inPeriod = daily.filter((row) => row.day >= `${period}-01`).reduce((sum, row) => sum + Number(row.quantity), 0);
      expect(inPeriod).toBe(57_340);
      const seats = await owner('seats_daily').where({ tenant_id: a.id }).first('peak_seats', 'closing_seats');
      expect(seats).toEqual({ peak_seats: 65, closing_seats: 60 });
    } finally {
      await owner.destroy();
    }
  });

  it('GET /v1/invoices/upcoming previews the current period from the rollups', async () => {
    const response = await hub.request('GET', '/v1/invoices/upcoming', { key: b.key });
    expect(response.status).toBe(200);
    expect(response.body.invoice).toMatchObject({
      period,
      plan: 'professional',
      currency: 'usd',
      totalCents: 83_100,
      usage: { apiCalls: 57_340, scans: 0, peakSeats: 1 },
      lines: [
        { code: 'plan', quantity: 1, unitAmountCents: 79_900, amountCents: 79_900 },
        { code: 'api_calls', quantity: 8, unitAmountCents: 400, amountCents: 3_200 },
      ],
    });
  });

  it('a run over 3 tenants of different plans yields exactly 3 Stripe invoices whose totals match the catalogue to the cent', async () => {
    const job = await startBillingRun(hub, period, [a.slug, b.slug, c.slug]);
    expect(job).toMatchObject({
      kind: 'billing',
      status: 'queued',
      workflowId: expect.stringMatching(new RegExp(`^billing/${period}/tenants-[0-9a-f]{12}$`)),
      params: { period, tenants: [a.slug, b.slug, c.slug] },
    });
    firstRunId = job.id;
    const finished = await billingRunFinished(hub, job.id);
    expect(finished).toMatchObject({
      status: 'completed',
      result: { total: 3, done: 3, invoiced: 3, alreadyInvoiced: 0, failed: 0, invoicedCents: 43_900 + 83_100 + 201_750 },
    });

    const expected: Array<[CreatedTenant, number, Array<[string, number]>]> = [
      [
        a,
        43_900,
        [
          ['plan', 29_900],
          ['seats', 9_000],
          ['scans', 5_000],
        ],
      ],
      [
        b,
        83_100,
        [
          ['plan', 79_900],
          ['api_calls', 3_200],
        ],
      ],
      [
        c,
        201_750,
        [
          ['plan', 199_900],
          ['seats', 600],
          ['scans', 1_250],
        ],
      ],
    ];
    for (const [tenant, total, lines] of expected) {
      const invoices = await stripeInvoicesOf(stripe, tenant.id);
      expect(invoices).toHaveLength(1);
      const invoice = invoices[0]!;
      expect({ total: invoice.total, status: invoice.status, currency: invoice.currency }).toEqual({ total, status: 'open', currency: 'usd' });
      const stripeLines = (await stripe.invoices.listLineItems(invoice.id, { limit: 100 })).data.map((line) => [line.metadata.hub_line, line.amount]);
      expect(stripeLines.sort()).toEqual([...lines].sort());

      const list = await hub.request('GET', '/v1/invoices', { key: tenant.key });
      expect(list.status).toBe(200);
      expect(list.body.pagination.total).toBe(1);
      const mine = list.body.data[0];
      expect(mine).toMatchObject({
        period,
        status: 'open',
        totalCents: total,
        amountDueCents: total,
        stripe: { invoiceId: invoice.id, number: invoice.number },
      });
      expect(mine.hostedInvoiceUrl).toBe(invoice.hosted_invoice_url);
      const one = await hub.request('GET', `/v1/invoices/${mine.id}`, { key: tenant.key });
      expect(one.body.invoice.lines.map((line: { code: string; amountCents: number }) => [line.code, line.amountCents])).toEqual(lines);
    }
    const hosted = await fetch((await stripeInvoicesOf(stripe, c.id))[0]!.hosted_invoice_url!);
    expect(hosted.status).toBe(200);

    const owner = ownerDb();
    try {
      const created = await owner('events').whereIn('tenant_id', [a.id, b.id, c.id]).where({ type: 'invoice.created' }).select('tenant_id', 'data');
      expect(created.map((event) => event.tenant_id).sort()).toEqual([a.id, b.id, c.id].sort());
      const audited = await owner('audit_log').whereIn('tenant_id', [a.id, b.id, c.id]).where({ action: 'invoice.created' }).count({ count: '*' }).first();
      expect(Number(audited!.count)).toBe(3);
      const run = await owner('billing_runs').where({ id: job.id }).first('run_id');
      await recordHistory(hub.temporal, job.workflowId, WORKFLOW_TYPES.monthlyBilling, run.run_id);
      await recordHistory(hub.temporal, `billing/${c.slug}/${period}`, WORKFLOW_TYPES.tenantInvoice);
    } finally {
      await owner.destroy();
    }
  });

  it('running the same period again creates no new invoice', async () => {
    const job = await startBillingRun(hub, period, [a.slug, b.slug, c.slug]);
    expect(job.id).not.toBe(firstRunId);
    const finished = await billingRunFinished(hub, job.id);
    expect(finished).toMatchObject({ status: 'completed', result: { total: 3, invoiced: 0, alreadyInvoiced: 3, failed: 0, invoicedCents: 0 } });
    for (const tenant of [a, b, c]) expect(await stripeInvoicesOf(stripe, tenant.id)).toHaveLength(1);
    const owner = ownerDb();
    try {
      const rows = await owner('invoices').whereIn('tenant_id', [a.id, b.id, c.id]).count({ count: '*' }).first();
      expect(Number(rows!.count)).toBe(3);
    } finally {
      await owner.destroy();
    }
  });

  it('refuses a second run of a period while one is going (409) and periods in the future (400)', async () => {
    const [first, second] = await Promise.all([
      hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period, tenants: [a.slug], force: true } }),
      hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period, tenants: [a.slug], force: true } }),
    ]);
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    const refused = first.status === 409 ? first : second;
    expect(refused.body.error.code).toBe('BILLING_RUN_IN_PROGRESS');
    const accepted = first.status === 202 ? first : second;
    await billingRunFinished(hub, accepted.body.job.id);

    const future = await hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period: '2999-01' } });
    expect(future.status).toBe(400);
    expect(future.body.error.code).toBe('PERIOD_IN_FUTURE');
    const malformed = await hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period: '2026-13' } });
    expect(malformed.status).toBe(400);
    const tenantKey = await hub.request('POST', '/v1/admin/billing/runs', { key: a.key, body: { period } });
    expect(tenantKey.status).toBe(401);
    const listed = await hub.request('GET', `/v1/admin/billing/runs?period=${period}`, { admin: true });
    expect(listed.body.data.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a month that has not ended (400 PERIOD_NOT_ENDED) unless the platform admin forces it, and audits the override on every tenant', async () => {
    const unended = await hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period, tenants: [a.slug] } });
    expect(unended.status).toBe(400);
    expect(unended.body.error).toMatchObject({ code: 'PERIOD_NOT_ENDED', details: [{ path: 'body.period' }] });
    const notForced = await hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period, tenants: [a.slug], force: false } });
    expect(notForced.body.error.code).toBe('PERIOD_NOT_ENDED');
    const tenantKey = await hub.request('POST', '/v1/admin/billing/runs', { key: a.key, body: { period, force: true } });
    expect(tenantKey.status).toBe(401);

    // A month that has ended needs no override (these tenants did not exist then: nobody to bill).
    const ended = await hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period: previousPeriod(new Date()), tenants: [a.slug] } });
    expect(ended.status).toBe(202);
    expect(ended.body.job.params).toEqual({ period: previousPeriod(new Date()), tenants: [a.slug] });
    expect(await billingRunFinished(hub, ended.body.job.id)).toMatchObject({ status: 'completed', error: null, result: { total: 0, failed: 0 } });

    // The first run of this file forced the current month: recorded on the run and in each tenant's audit log.
    const forced = await hub.request('GET', `/v1/admin/billing/runs/${firstRunId}`, { admin: true });
    expect(forced.body.job.params).toEqual({ period, tenants: [a.slug, b.slug, c.slug], force: true });
    const owner = ownerDb();
    try {
      const audited = await owner('audit_log')
        .where({ action: 'billing_run.forced', target_type: 'billing_run', target_id: firstRunId })
        .select('tenant_id', 'actor_type', 'details');
      expect(audited.map((row) => row.tenant_id).sort()).toEqual([a.id, b.id, c.id].sort());
      for (const row of audited) {
        expect(row).toMatchObject({ actor_type: 'platform_admin', details: { period, reason: 'period_not_ended' } });
        expect(new Date(row.details.periodEnd).getTime()).toBeGreaterThan(Date.now());
      }
      expect(await owner('billing_runs').where({ id: ended.body.job.id }).first('forced')).toEqual({ forced: false });
    } finally {
      await owner.destroy();
    }
  });

  it('a run some of whose tenants fail ends completed_with_errors, one whose every tenant fails ends failed; the error says how many and why', async () => {
    const refused = { error: { type: 'invalid_request_error', code: 'parameter_invalid', message: 'Invalid email address: tenant-admin' } };
    const [d, e] = await Promise.all([hub.createTenant({ plan: 'starter' }), hub.createTenant({ plan: 'starter' })]);
    peer.faults.add({ fault: { kind: 'status', status: 400, body: refused }, match: /^POST \/v1\/customers$/, times: 1 });
    const partly = await billingRunFinished(hub, (await startBillingRun(hub, period, [d.slug, e.slug])).id);
    expect(partly).toMatchObject({
      status: 'completed_with_errors',
      error: { code: 'ITEMS_FAILED', message: expect.stringMatching(/^1 of 2 tenants failed: .+Invalid email address: tenant-admin$/) },
      result: { total: 2, done: 2, invoiced: 1, failed: 1, failures: [{ tenantSlug: expect.any(String), message: expect.stringContaining('Invalid email') }] },
    });

    const [f, g] = await Promise.all([hub.createTenant({ plan: 'starter' }), hub.createTenant({ plan: 'starter' })]);
    peer.faults.add({ fault: { kind: 'status', status: 400, body: refused }, match: /^POST \/v1\/customers$/, times: 2 });
    const run = await startBillingRun(hub, period, [f.slug, g.slug]);
    const failed = await billingRunFinished(hub, run.id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'ITEMS_FAILED', message: expect.stringMatching(/^2 of 2 tenants failed: /) },
      result: { total: 2, done: 2, invoiced: 0, failed: 2 },
      progress: { phase: 'failed', failed: 2 },
    });
    expect((failed.error as { message: string }).message).toContain(f.slug);
    expect((failed.error as { message: string }).message).toContain(g.slug);
    // The workflow says so too: Failed in Temporal, not Completed.
    const owner = ownerDb();
    try {
      const row = await owner('billing_runs').where({ id: run.id }).first('run_id');
      // The row is written by the run's last activity, just before the workflow itself fails.
      const handle = hub.temporal.workflow.getHandle(run.workflowId, row.run_id);
      await expect(handle.result()).rejects.toThrow();
      expect((await handle.describe()).status.name).toBe('FAILED');
      const listed = await hub.request('GET', `/v1/admin/billing/runs?period=${period}`, { admin: true });
      expect(listed.body.data.find((job: { id: string }) => job.id === run.id).status).toBe('failed');
    } finally {
      await owner.destroy();
    }
  });

  it('continues as new after a number of tenants, carrying its progress across runs', async () => {
    const workflowId = `billing/${period}/continue-as-new-${uniqueSuffix()}`;
    const billingRunId = randomUUID();
    const handle = await hub.temporal.workflow.start<typeof monthlyBilling>(WORKFLOW_TYPES.monthlyBilling, {
      workflowId,
      taskQueue: hub.config.TEMPORAL_TASK_QUEUE,
      args: [{ period, billingRunId, requestedBy: 'test', tenants: [a.slug, b.slug, c.slug], tenantsPerRun: 1, concurrency: 1 }],
    });
    expect(await handle.result()).toMatchObject({ phase: 'completed', total: 3, done: 3, invoiced: 0, alreadyInvoiced: 3, failed: 0 });
    const first = await hub.temporal.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const owner = ownerDb();
    try {
      expect(await owner('billing_runs').where({ id: billingRunId }).first('status', 'result')).toMatchObject({
        status: 'completed',
        result: { total: 3, done: 3 },
      });
    } finally {
      await owner.destroy();
    }
    await recordHistory(hub.temporal, workflowId, 'monthlyBillingContinuedAsNew', handle.firstExecutionRunId);
  });

  it('exports the invoices dataset', async () => {
    const started = await hub.request('POST', '/v1/jobs', { key: c.key, body: { kind: 'export', params: { dataset: 'invoices', format: 'json' } } });
    expect(started.status).toBe(202);
    const id = started.body.job.id as string;
    await eventually(
      async () => ((await hub.request('GET', `/v1/jobs/${id}`, { key: c.key })).body.job.status === 'completed' ? true : undefined),
      30_000,
      'invoices export',
    );
    const file = await hub.request('GET', `/v1/jobs/${id}/download`, { key: c.key });
    expect(file.status).toBe(200);
    const rows = JSON.parse(file.text) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ period, status: 'open', total_cents: 201_750, currency: 'usd' });
    expect(rows[0]!.lines).toHaveLength(3);
  });

  it('a Temporal Schedule runs monthly billing on the 1st of each month (UTC) for the month before', async () => {
    const scheduleId = `billing-monthly-test-${uniqueSuffix()}`;
    const logger = createLogger({ name: 'test', level: 'silent' });
    expect(await ensureBillingSchedule(hub.temporal, hub.config, logger, scheduleId)).toBe('created');
    expect(await ensureBillingSchedule(hub.temporal, hub.config, logger, scheduleId)).toBe('updated');
    const handle = hub.temporal.schedule.getHandle(scheduleId);
    try {
      const described = await handle.describe();
      expect(described.info.nextActionTimes.length).toBeGreaterThan(0);
      for (const at of described.info.nextActionTimes) {
        expect({ day: at.getUTCDate(), hour: at.getUTCHours(), minute: at.getUTCMinutes() }).toEqual({ day: 1, hour: 0, minute: 15 });
      }
      const months = described.info.nextActionTimes.map((at) => periodOf(at));
      expect(new Set(months).size).toBe(months.length);

      // Without waiting for the 1st: trigger it now; the run bills the month before "now".
      await handle.trigger();
      const workflowId = await eventually(async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId, 20_000, 'the scheduled run');
      expect(workflowId).toMatch(/^billing\/scheduled-/);
      const result = await hub.temporal.workflow.getHandle(workflowId).result();
      expect(result.phase).toBe('completed');
      const owner = ownerDb();
      try {
        const run = await owner('billing_runs').where({ workflow_id: workflowId }).first('period', 'status', 'requested_by');
        expect(run).toEqual({ period: previousPeriod(new Date()), status: 'completed', requested_by: 'schedule' });
      } finally {
        await owner.destroy();
      }
    } finally {
      await handle.delete();
    }
  });
});
