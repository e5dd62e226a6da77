import Stripe from 'stripe';
import { CONNECTOR_FAILURE_TYPES } from '../../connectors/errors';
import { startStripePeer, STRIPE_TEST_KEY } from '../peers/stripe/stripePeer';
import { failureOf, readStream, runtimeOf } from '../support/connectors';
import { registerStripeConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';

/** The stripe connector (official `stripe` package, apiBase override) against localstripe behind the fault proxy. */
describe('stripe connector', () => {
  const peer = useStarted(() => startStripePeer({ port: 0, customers: 5_000 }));
  const { hub, tenant } = useHub({ tenants: [{}] });
  let connectorId: string;
  let stripe: Stripe;

  beforeAll(async () => {
    connectorId = await registerStripeConnector(hub, tenant, peer);
    const direct = new URL(peer.directUrl);
    stripe = new Stripe(STRIPE_TEST_KEY, { host: direct.hostname, port: direct.port, protocol: 'http', maxNetworkRetries: 0 });
  });
  afterEach(() => peer.faults.clear());

  let cursor: string | null = null;

  it('reads all 5,000 customers across pages of 100 (starting_after)', async () => {
    const result = await readStream(hub, tenant.id, connectorId, 'customers', { pageSize: 100 });
    expect(result.records).toHaveLength(5_000);
    expect(new Set(result.records.map((record) => record.externalId)).size).toBe(5_000);
    expect(result.pages).toBe(50);
    expect(result.records[0]).toMatchObject({
      externalId: expect.stringMatching(/^cus_/),
      deleted: false,
      data: { object: 'customer', email: expect.stringMatching(/@example\.test$/) },
    });
    cursor = result.cursor;
  });

  it('an incremental read returns only the customers changed since (Events API), deletions included', async () => {
    const list = await stripe.customers.list({ limit: 10 });
    const updated = list.data.slice(0, 4).map((customer) => customer.id);
    for (const id of updated) await stripe.customers.update(id, { name: `Renamed ${id}` });
    const deleted = list.data.slice(4, 6).map((customer) => customer.id);
    for (const id of deleted) await stripe.customers.del(id);
    const created = await stripe.customers.create({ name: 'Newcomer', email: 'new@example.test' });

    const result = await readStream(hub, tenant.id, connectorId, 'customers', { cursor, pageSize: 100 });
    const byId = new Map(result.records.map((record) => [record.externalId, record]));
    expect([...byId.keys()].sort()).toEqual([...updated, ...deleted, created.id].sort());
    for (const id of updated) expect(byId.get(id)).toMatchObject({ deleted: false, data: { name: `Renamed ${id}` } });
    for (const id of deleted) expect(byId.get(id)!.deleted).toBe(true);

    const again = await readStream(hub, tenant.id, connectorId, 'customers', { cursor: result.cursor });
    expect(again.records).toEqual([]);
  });

  it('reads invoices and charges', async () => {
    const customer = await stripe.customers.create({ name: 'Billing', email: 'billing@example.test' });
    const paymentMethod = await stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' },
    } as never);
    await stripe.paymentMethods.attach(paymentMethod.id, { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: paymentMethod.id } });
    const plan = await stripe.plans.create({ amount: 29_900, currency: 'usd', interval: 'month', product: { name: 'Starter' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ plan: plan.id }] } as never);
    const charge = await stripe.charges.create({ amount: 1_000, currency: 'usd', source: paymentMethod.id });
    const invoices = await readStream(hub, tenant.id, connectorId, 'invoices', { pageSize: 10 });
    expect(invoices.records.map((record) => record.data.subscription)).toContain(subscription.id);
    const charges = await readStream(hub, tenant.id, connectorId, 'charges', { pageSize: 10 });
    expect(charges.records.map((record) => record.externalId)).toContain(charge.id);
  });

  it('classifies a rejected key and an expired key (401) as AuthError', async () => {
    const badKey = await registerStripeConnector(hub, tenant, peer, 'rk_test_not_accepted');
    const rejected = await failureOf(runtimeOf(hub)(tenant.id, badKey, ({ instance }) => instance.testConnection()));
    expect([rejected.type, rejected.nonRetryable]).toEqual([CONNECTOR_FAILURE_TYPES.auth, true]);

    const other = await registerStripeConnector(hub, tenant, peer);
    peer.faults.add({ fault: { kind: 'expiredToken' } });
    const expired = await failureOf(runtimeOf(hub)(tenant.id, other, ({ instance }) => instance.readPage('charges', null, 10)));
    expect(expired.type).toBe(CONNECTOR_FAILURE_TYPES.auth);
    expect(expired.message).toMatch(/api_key_expired/);
  });

  it('maps 429 to a rate-limit failure carrying Retry-After, and the test workflow waits for it', async () => {
    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 3 }, match: /customers/ });
    const failure = await failureOf(runtimeOf(hub)(tenant.id, connectorId, ({ instance }) => instance.testConnection()));
    expect([failure.type, failure.nonRetryable, failure.nextRetryDelay]).toEqual([CONNECTOR_FAILURE_TYPES.rate_limit, false, 3_000]);

    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, match: /customers/ });
    const started = Date.now();
    const response = await hub.request('POST', `/v1/connectors/${connectorId}/test`, { key: tenant.key });
    expect(response.body).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('classifies 500 and dropped connections as transient', async () => {
    peer.faults.add({ fault: { kind: 'status', status: 500 } });
    const serverError = await failureOf(runtimeOf(hub)(tenant.id, connectorId, ({ instance }) => instance.readPage('customers', null, 10)));
    expect([serverError.type, serverError.nonRetryable]).toEqual([CONNECTOR_FAILURE_TYPES.transient, false]);
    // The stripe package itself retries once on a connection closed at the first attempt (stale keep-alive sockets).
    peer.faults.add({ fault: { kind: 'reset' }, times: 2 });
    const reset = await failureOf(runtimeOf(hub)(tenant.id, connectorId, ({ instance }) => instance.readPage('customers', null, 10)));
    expect(reset.type).toBe(CONNECTOR_FAILURE_TYPES.transient);
  });
});
