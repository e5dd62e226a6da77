import Stripe from 'stripe';
import { periodOf } from '../../platform/billing/periods';
import { startStripePeer } from '../peers/stripe/stripePeer';
import { billingEnv, billingRunFinished, startBillingRun, stripeInvoicesOf, stripeOf, WEBHOOK_SECRET } from '../support/billing';
import { ownerDb, uniqueSuffix, type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/recordHistory';
import { dunningStateQuery, WORKFLOW_TYPES } from '../../workflows/contracts';

/**
 * Stripe webhooks into the hub (localstripe delivers its own events, signed with the endpoint
 * secret) and the dunning they drive: payment failure → retries on durable timers → suspension
 * after the grace period → payment → reactivation. Dunning delays are shortened by configuration
 * (1 s between retries, 4 s of grace) so nothing waits days.
 */
describe('Stripe webhooks and dunning', () => {
  const period = periodOf(new Date());
  const peer = useStarted(() => startStripePeer({ port: 0 }));
  const {
    hub,
    tenants: [late, duplicate],
  } = useHub({
    env: () => billingEnv(peer, { DUNNING_RETRY_DELAYS: '1s,1s', DUNNING_GRACE_PERIOD: '4s' }),
    tenants: [{ plan: 'professional' }, { plan: 'starter' }],
  });
  let stripe: Stripe;

  const invoiceOf = async (tenant: CreatedTenant) => (await hub.request('GET', '/v1/invoices', { key: tenant.key })).body.data[0];
  const post = (payload: string, signature?: string) =>
    hub.request('POST', '/v1/stripe/webhook', {
      rawBody: payload,
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...(signature === undefined ? {} : { 'Stripe-Signature': signature }) },
    });
  const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? WEBHOOK_SECRET,
      timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    });

  beforeAll(async () => {
    await peer.registerWebhook(`${hub.url}/v1/stripe/webhook`, WEBHOOK_SECRET);
    stripe = stripeOf(peer);
    const job = await startBillingRun(hub, period, [late.slug, duplicate.slug]);
    expect((await billingRunFinished(hub, job.id)).status).toBe('completed');
  });

  describe('signature', () => {
    const event = () =>
      JSON.stringify({
        id: `evt_forged_${uniqueSuffix()}`,
        object: 'event',
        type: 'invoice.paid',
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        data: { object: { object: 'invoice', id: 'in_x' } },
      });

    it.each([
      ['a signature made with another secret', (payload: string) => sign(payload, { secret: 'whsec_not_the_endpoint_secret' })],
      ['a stale signature (10 minutes old)', (payload: string) => sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 })],
      ['a signature of another payload', (payload: string) => sign(payload.replace('invoice.paid', 'invoice.voided'))],
      ['a malformed header', () => 'nonsense'],
      ['no Stripe-Signature header', () => undefined],
    ])('refuses %s with 400 and stores nothing', async (_what, signature) => {
      const payload = event();
      const response = await post(payload, signature(payload));
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('INVALID_SIGNATURE');
      const owner = ownerDb();
      try {
        expect(
          await owner('stripe_events')
            .where({ id: JSON.parse(payload).id })
            .first(),
        ).toBeUndefined();
      } finally {
        await owner.destroy();
      }
    });
  });

  it('applies a duplicated event once (concurrent and later redeliveries are recognised by event id)', async () => {
    const invoice = await invoiceOf(duplicate);
    const stripeInvoice = await stripe.invoices.retrieve(invoice.stripe.invoiceId);
    const payload = JSON.stringify({
      id: `evt_paid_${uniqueSuffix()}`,
      object: 'event',
      type: 'invoice.paid',
      api_version: '2017-08-15',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: {
        object: {
          ...stripeInvoice,
          status: 'paid',
          amount_paid: stripeInvoice.total,
          status_transitions: { ...stripeInvoice.status_transitions, paid_at: Math.floor(Date.now() / 1000) },
        },
      },
    });
    const [first, second] = await Promise.all([post(payload, sign(payload)), post(payload, sign(payload))]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.duplicate, second.body.duplicate].sort()).toEqual([false, true]);
    await eventually(async () => ((await invoiceOf(duplicate)).status === 'paid' ? true : undefined), 20_000, 'the invoice paid');
    const again = await post(payload, sign(payload));
    expect(again.body).toEqual({ received: true, eventId: JSON.parse(payload).id, duplicate: true });

    // localstripe's own delivery of the invoice's finalization, delivered once more by hand.
    const finalized = await eventually(
      async () => {
        const events = await stripe.events.list({ type: 'invoice.finalized', limit: 100 });
        return events.data.find((candidate) => (candidate.data.object as { id: string }).id === stripeInvoice.id);
      },
      10_000,
      'the invoice.finalized event',
    );
    const owner = ownerDb();
    try {
      await eventually(
        async () => ((await owner('stripe_events').where({ id: finalized.id }).first('processed_at'))?.processed_at ? true : undefined),
        20_000,
        'localstripe delivering invoice.finalized',
      );
      const redelivered = JSON.stringify(finalized);
      expect((await post(redelivered, sign(redelivered))).body.duplicate).toBe(true);

      const stored = await owner('stripe_events')
        .whereIn('id', [JSON.parse(payload).id, finalized.id])
        .orderBy('id')
        .select('id', 'deliveries', 'outcome');
      expect(stored.map((row) => [row.deliveries, row.outcome]).sort()).toEqual([
        [2, 'finalized'],
        [3, 'paid'],
      ]);
      const paidEvents = await owner('events').where({ tenant_id: duplicate.id, type: 'invoice.paid' }).count({ count: '*' }).first();
      expect(Number(paidEvents!.count)).toBe(1);
      const audited = await owner('audit_log').where({ tenant_id: duplicate.id, action: 'invoice.paid' }).count({ count: '*' }).first();
      expect(Number(audited!.count)).toBe(1);
    } finally {
      await owner.destroy();
    }
  });

  it('payment failure → dunning retries → suspension after the grace period → payment → reactivation', async () => {
    const invoice = await invoiceOf(late);
    expect(invoice.status).toBe('open');
    const customer = invoice.stripe.customerId as string;
    const declining = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer });
    await stripe.customers.update(customer, { invoice_settings: { default_payment_method: declining.id } });
    // Stripe's automatic collection attempt, declined: Stripe sends invoice.payment_failed.
    await expect(stripe.invoices.pay(invoice.stripe.invoiceId)).rejects.toMatchObject({ statusCode: 402, code: 'card_declined' });

    await eventually(async () => ((await invoiceOf(late)).status === 'past_due' ? true : undefined), 20_000, 'the invoice past due');
    const dunningId = `dunning/${late.slug}/${period}`;
    const dunning = hub.temporal.workflow.getHandle(dunningId);

    // Two retries one second apart fail (the card still declines), then the grace period ends.
    await eventually(async () => ((await hub.request('GET', '/v1/users', { key: late.key })).status === 403 ? true : undefined), 30_000, 'the suspension');
    const refused = await hub.request('GET', '/v1/users', { key: late.key });
    expect(refused.body.error.code).toBe('TENANT_SUSPENDED');
    expect((await hub.request('GET', '/v1/tenant', { key: late.key })).body.tenant.status).toBe('suspended');
    const whileSuspended = await hub.request('GET', `/v1/invoices/${invoice.id}`, { key: late.key });
    expect(whileSuspended.status).toBe(200);
    expect(whileSuspended.body.invoice).toMatchObject({ status: 'past_due', amountDueCents: invoice.totalCents });
    expect(whileSuspended.body.invoice.attemptCount).toBeGreaterThanOrEqual(1);
    expect(await dunning.query(dunningStateQuery)).toMatchObject({ phase: 'suspended', retriesDone: 2, suspended: true });

    const owner = ownerDb();
    try {
      const notices = async () =>
        (await owner('billing_notifications').where({ tenant_id: late.id }).orderBy('created_at').select('kind')).map((row) => row.kind);
      expect(await notices()).toEqual(['dunning.payment_failed', 'dunning.retry_failed', 'dunning.retry_failed', 'dunning.suspended']);
      // Each declined attempt (the first and both retries) is an invoice.payment_failed event for the tenant's webhooks.
      await eventually(
        async () =>
          Number((await owner('events').where({ tenant_id: late.id, type: 'invoice.payment_failed' }).count({ count: '*' }).first())!.count) === 3
            ? true
            : undefined,
        20_000,
        'three invoice.payment_failed events',
      );

      // The tenant pays with a working card: Stripe sends invoice.paid, the suspension is lifted.
      const working = await stripe.paymentMethods.attach('pm_card_visa', { customer });
      await stripe.customers.update(customer, { invoice_settings: { default_payment_method: working.id } });
      expect((await stripe.invoices.pay(invoice.stripe.invoiceId)).status).toBe('paid');
      await eventually(async () => ((await hub.request('GET', '/v1/users', { key: late.key })).status === 200 ? true : undefined), 30_000, 'the reactivation');
      expect(await dunning.result()).toEqual({ outcome: 'paid_after_suspension', retries: 2, suspended: true });
      expect((await invoiceOf(late)).status).toBe('paid');
      expect(await notices()).toEqual(['dunning.payment_failed', 'dunning.retry_failed', 'dunning.retry_failed', 'dunning.suspended', 'dunning.reactivated']);
      const actions = (
        await owner('audit_log')
          .where({ tenant_id: late.id })
          .whereIn('action', ['tenant.suspended', 'invoice.paid', 'tenant.reactivated'])
          .orderBy('seq')
          .select('action')
      ).map((row) => row.action);
      expect(actions).toEqual(['tenant.suspended', 'invoice.paid', 'tenant.reactivated']);
      expect(await stripeInvoicesOf(stripe, late.id)).toHaveLength(1);

      // The first failure's handling started the dunning (a child that outlives it).
      const failure = await owner('stripe_events')
        .where({ type: 'invoice.payment_failed', outcome: 'payment_failed' })
        .whereRaw(`payload->'data'->'object'->'metadata'->>'hub_tenant_id' = ?`, [late.id])
        .orderBy('received_at')
        .first('id');
      await recordHistory(hub.temporal, `stripe-event/${failure.id}`, WORKFLOW_TYPES.stripeEvent);
      await recordHistory(hub.temporal, dunningId, WORKFLOW_TYPES.dunning);
    } finally {
      await owner.destroy();
    }
  });
});
