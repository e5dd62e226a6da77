import { createDunningActivities } from '../../activities/billing/createDunningActivities';
import { createInvoiceActivities } from '../../activities/billing/createInvoiceActivities';
import { periodOf } from '../../platform/billing/periods';
import { startStripeMockPeer, STRIPE_MOCK_KEY } from '../peers/stripe/stripeMockPeer';
import { billingRunFinished, recordUsageEvents, startBillingRun } from '../support/billing';
import { useHub, useStarted } from '../support/harness';

/**
 * The hub's Stripe requests checked against Stripe's own API spec: the billing path (the
 * monthlyBilling → tenantInvoice workflows and their activities, through platform/billing's
 * client) pointed at Stripe's official stripe-mock, which refuses any request whose parameters the
 * real API would. stripe-mock is stateless (its answers are fixtures: a draft invoice totalling
 * 1,000 cents), so the test asserts acceptance; localstripe (billingRun.test.ts) checks the outcome.
 */
describe('billing requests against stripe-mock', () => {
  const period = periodOf(new Date());
  const peer = useStarted(() => startStripeMockPeer({ port: 0 }));
  const {
    hub,
    owner,
    tenants: [tenant],
  } = useHub({
    env: () => ({ STRIPE_API_BASE: peer.url, STRIPE_SECRET_KEY: STRIPE_MOCK_KEY, BILLING_SCHEDULE_ENABLED: 'false' }),
    tenants: [{ plan: 'starter' }],
  });

  const refused = () => peer.exchanges.filter((exchange) => exchange.status >= 400);
  const calls = () => [...new Set(peer.exchanges.map((exchange) => `${exchange.method} ${exchange.path.replace(/\/(cus|in|ii|il)_[A-Za-z0-9]+/g, '/$1_…')}`))];

  it('accepts every request of a billing run: customer, invoice lookup and draft, invoice items, line listing', async () => {
    // 100 scans over the 1,000 included: a second invoice line (29,900 + 100 × 10 cents).
    await recordUsageEvents(hub, tenant.id, [{ kind: 'scan', quantity: 1_100 }]);
    const run = await billingRunFinished(hub, (await startBillingRun(hub, period, [tenant.slug])).id);
    expect(refused()).toEqual([]);
    expect(calls()).toEqual(
      expect.arrayContaining([
        'POST /v1/customers',
        'GET /v1/invoices',
        'POST /v1/invoices',
        'GET /v1/invoices/in_…',
        'GET /v1/invoices/in_…/lines',
        'POST /v1/invoiceitems',
      ]),
    );
    expect(peer.exchanges.filter((exchange) => exchange.method === 'POST' && exchange.path === '/v1/invoiceitems')).toHaveLength(2);
    // stripe-mock's fixture draft totals 1,000 cents, not the hub's: the hub refuses to finalize it.
    expect(run).toMatchObject({ status: 'failed', result: { failed: 1 } });
    expect((run.error as { message: string }).message).toMatch(/totals 1000 usd, the hub computed 30900 usd: not finalized/);
  });

  it('accepts finalizing and collecting an invoice (the hub total made the fixture’s)', async () => {
    const invoice = await owner('invoices').where({ tenant_id: tenant.id, period }).first('id', 'status', 'stripe_invoice_id');
    expect(invoice).toMatchObject({ status: 'draft', stripe_invoice_id: expect.stringMatching(/^in_/) });
    await owner('invoices').where({ id: invoice.id }).update({ total_cents: 1_000 });
    const before = peer.exchanges.length;

    const issued = await createInvoiceActivities({ db: hub.db, config: hub.config }).finalizeStripeInvoice({ tenantId: tenant.id, invoiceId: invoice.id });
    expect(issued).toMatchObject({ invoiceId: invoice.id, stripeInvoiceId: invoice.stripe_invoice_id, totalCents: 1_000 });
    await createDunningActivities({ db: hub.db, config: hub.config }).retryInvoicePayment({ tenantId: tenant.id, invoiceId: invoice.id, attempt: 1 });

    const exchanges = peer.exchanges.slice(before);
    expect(exchanges.filter((exchange) => exchange.status >= 400)).toEqual([]);
    expect(exchanges.map((exchange) => `${exchange.method} ${exchange.path.replace(/in_[A-Za-z0-9]+/, 'in_…')}`)).toEqual(
      expect.arrayContaining(['GET /v1/invoices/in_…', 'POST /v1/invoices/in_…/finalize', 'POST /v1/invoices/in_…/pay']),
    );
  });

  it('refuses what Stripe’s spec does not allow (the check is real)', async () => {
    const response = await fetch(`${peer.url}/v1/invoices`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${STRIPE_MOCK_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'customer=cus_1&pending_invoice_items_behavior=sweep_everything',
    });
    expect(response.status).toBe(400);
    expect(peer.exchanges.at(-1)).toMatchObject({ status: 400, error: expect.stringContaining('validation') });
  });
});
