import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { insertUsageEvents, stampUsageEvent } from '../../platform/metering/recordUsage';
import { type RunningStripePeer, STRIPE_TEST_KEY } from '../peers/stripe/stripePeer';
import { ownerDb, type TestHub } from './hub';
import { eventually } from './eventually';

/** The endpoint secret tests give the hub and localstripe. */
export const WEBHOOK_SECRET = 'whsec_hub_test_endpoint_secret';

/** Hub settings that bill through the given Stripe peer. */
export function billingEnv(peer: RunningStripePeer, extra: Record<string, string> = {}): Record<string, string> {
  return { STRIPE_API_BASE: peer.url, STRIPE_SECRET_KEY: STRIPE_TEST_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, BILLING_SCHEDULE_ENABLED: 'false', ...extra };
}

/** The official client against the peer's localstripe directly (no injected faults): the test's view of Stripe. */
export function stripeOf(peer: RunningStripePeer): Stripe {
  const direct = new URL(peer.directUrl);
  return new Stripe(STRIPE_TEST_KEY, { host: direct.hostname, port: direct.port, protocol: 'http', maxNetworkRetries: 0 });
}

/** Adds users straight to the database (owner connection): `count` of them with `status`. */
export async function addUsers(tenantId: string, count: number, status: 'active' | 'invited' | 'suspended' = 'active'): Promise<string[]> {
  const owner = ownerDb();
  try {
    const rows = Array.from({ length: count }, (_, index) => ({
      id: randomUUID(),
      tenant_id: tenantId,
      email: `seat-${index}-${randomUUID().slice(0, 8)}@example.test`,
      name: `Seat ${index}`,
      role: 'member',
      status,
    }));
    for (let start = 0; start < rows.length; start += 1_000) await owner('users').insert(rows.slice(start, start + 1_000));
    return rows.map((row) => row.id);
  } finally {
    await owner.destroy();
  }
}

export async function removeUsers(ids: string[]): Promise<void> {
  const owner = ownerDb();
  try {
    await owner('users').whereIn('id', ids).del();
  } finally {
    await owner.destroy();
  }
}

/** Records usage the way the hub does (`insertUsageEvents` in the tenant's transaction, as the app role). */
export async function recordUsageEvents(hub: TestHub, tenantId: string, events: Array<{ kind: string; quantity: number; occurredAt?: Date }>): Promise<void> {
  await hub.db.withTenant(tenantId, (trx) =>
    insertUsageEvents(
      trx,
      tenantId,
      events.map((event) => stampUsageEvent({ tenantId, ...event })),
    ),
  );
}

/**
 * Starts a billing run through the admin API (202) and returns its job. Tests bill the current
 * month (their tenants exist only since now), so they send the platform admin's `force`.
 */
export async function startBillingRun(hub: TestHub, period: string, tenants?: string[]): Promise<{ id: string; workflowId: string; status: string }> {
  const response = await hub.request('POST', '/v1/admin/billing/runs', { admin: true, body: { period, ...(tenants ? { tenants } : {}), force: true } });
  if (response.status !== 202) throw new Error(`billing run: ${response.status} ${response.text}`);
  return response.body.job;
}

/** Polls GET /v1/admin/billing/runs/:id until the run has finished; returns the final job. */
export async function billingRunFinished(
  hub: TestHub,
  runId: string,
  timeoutMs = 90_000,
): Promise<{ status: string; result: Record<string, unknown> | null; progress: Record<string, unknown>; error: unknown }> {
  return eventually(
    async () => {
      const response = await hub.request('GET', `/v1/admin/billing/runs/${runId}`, { admin: true });
      return ['completed', 'completed_with_errors', 'failed', 'cancelled'].includes(response.body.job.status) ? response.body.job : undefined;
    },
    timeoutMs,
    `billing run ${runId}`,
  );
}

/** The Stripe customer of a tenant (every customer the hub creates carries `hub_tenant_id`). */
export async function stripeCustomersOf(stripe: Stripe, tenantId: string): Promise<Stripe.Customer[]> {
  const customers: Stripe.Customer[] = [];
  for await (const customer of stripe.customers.list({ limit: 100 })) if (customer.metadata?.hub_tenant_id === tenantId) customers.push(customer);
  return customers;
}

/** Every Stripe invoice of a tenant, over all its customers. */
export async function stripeInvoicesOf(stripe: Stripe, tenantId: string): Promise<Stripe.Invoice[]> {
  const invoices: Stripe.Invoice[] = [];
  for (const customer of await stripeCustomersOf(stripe, tenantId)) {
    for await (const invoice of stripe.invoices.list({ customer: customer.id, limit: 100 })) invoices.push(invoice);
  }
  return invoices;
}
