import { randomUUID } from 'node:crypto';
import knex, { type Knex } from 'knex';
import Stripe from 'stripe';
import { BILLING_CURRENCY, PLAN_IDS, planOf } from '../../platform/billing/catalogue';
import { computeInvoice, type PeriodUsage } from '../../platform/billing/invoiceLines';
import { periodOf } from '../../platform/billing/periods';
import { startStripePeer, STRIPE_TEST_KEY } from '../../test/peers/stripe/stripePeer';
import { type Benchmark } from '../harness';
import { startHubProcesses } from '../support/hubProcesses';

const TENANTS = 1_000;
const WARM_UP_TENANTS = 20;
const CONCURRENCY = 20;

export interface BenchTenant {
  id: string;
  slug: string;
  plan: (typeof PLAN_IDS)[number];
  usage: PeriodUsage;
}

/**
 * Monthly billing throughput: a billing run over 1,000 tenants (monthlyBilling → one tenantInvoice
 * child per tenant, 20 at a time, continue-as-new every 500; the real API and worker processes,
 * Postgres, Temporal) against localstripe, in tenants invoiced per second, with a count of
 * duplicate Stripe invoices (must be 0). Baseline: the very same Stripe calls, made one tenant
 * after the other by a plain loop with the stripe client, no Temporal and no Postgres.
 */
export const billingRun: Benchmark = {
  name: 'billingRun',
  description: `billing run over ${TENANTS} tenants against localstripe (tenants invoiced/s, duplicates) vs the same Stripe calls made sequentially without Temporal`,
  async run(context) {
    const peer = await startStripePeer({ port: 0 });
    const owner = knex({ client: 'pg', connection: context.env.DATABASE_URL, pool: { min: 0, max: 2 } });
    const hub = await startHubProcesses(context, {
      STRIPE_API_BASE: peer.directUrl,
      STRIPE_SECRET_KEY: STRIPE_TEST_KEY,
      BILLING_SCHEDULE_ENABLED: 'false',
      BILLING_CONCURRENCY: String(CONCURRENCY),
    });
    const stripe = new Stripe(STRIPE_TEST_KEY, { host: '127.0.0.1', port: new URL(peer.directUrl).port, protocol: 'http', maxNetworkRetries: 0 });
    const period = periodOf(new Date());
    const prefix = `bill-${Date.now().toString(36)}`;
    try {
      const warmUp = await seedTenants(owner, `${prefix}-warm`, WARM_UP_TENANTS);
      const tenants = await seedTenants(owner, prefix, TENANTS);
      context.log(`billingRun: ${TENANTS} tenants seeded; warm-up run of ${WARM_UP_TENANTS}`);
      await runBilling(
        hub.apiUrl,
        hub.adminToken,
        period,
        warmUp.map((tenant) => tenant.slug),
      );
      await peer.flush();

      context.log(`billingRun: billing run over ${TENANTS} tenants`);
      const started = performance.now();
      const result = await runBilling(
        hub.apiUrl,
        hub.adminToken,
        period,
        tenants.map((tenant) => tenant.slug),
      );
      const seconds = (performance.now() - started) / 1000;
      const invoices = await allInvoices(stripe);
      const distinct = new Set(invoices.map((invoice) => invoice.metadata?.hub_invoice_id));
      const duplicates = invoices.length - distinct.size;
      const stored = (await owner('invoices')
        .whereIn(
          'tenant_id',
          tenants.map((tenant) => tenant.id),
        )
        .where({ status: 'open' })
        .count({ count: '*' })
        .first()) as { count: string };
      if (result.invoiced !== TENANTS || Number(stored.count) !== TENANTS || distinct.size !== TENANTS) {
        throw new Error(`run invoiced ${String(result.invoiced)}, ${stored.count} stored, ${distinct.size} in Stripe; expected ${TENANTS}`);
      }
      const expectedCents = tenants.reduce((sum, tenant) => sum + computeInvoice(planOf(tenant.plan), period, tenant.usage).totalCents, 0);
      const stripeCents = invoices.reduce((sum, invoice) => sum + invoice.total, 0);
      if (stripeCents !== expectedCents) throw new Error(`Stripe invoices total ${stripeCents} cents, the catalogue says ${expectedCents}`);

      context.log('billingRun: baseline (the same Stripe calls, sequential, no Temporal)');
      await peer.flush();
      const baselineStarted = performance.now();
      let calls = 0;
      for (const tenant of tenants) calls += await invoiceDirectly(stripe, tenant, period);
      const baselineSeconds = (performance.now() - baselineStarted) / 1000;

      return {
        measurements: [
          {
            label: 'Stripe calls in a loop (baseline)',
            metrics: { tenants: TENANTS, 'tenants/s': TENANTS / baselineSeconds, seconds: baselineSeconds, 'Stripe calls': calls, duplicates: 0 },
          },
          {
            label: 'billing run (Temporal, 20 at once)',
            metrics: { tenants: TENANTS, 'tenants/s': TENANTS / seconds, seconds, 'Stripe calls': calls, duplicates },
          },
        ],
        ratios: [
          { name: 'billing run / sequential Stripe calls (tenants per second)', value: TENANTS / seconds / (TENANTS / baselineSeconds) },
          { name: 'duplicate Stripe invoices', value: duplicates, target: '0', met: duplicates === 0 },
        ],
        notes: [
          `run result: ${JSON.stringify({ invoiced: result.invoiced, alreadyInvoiced: result.alreadyInvoiced, failed: result.failed })}; Stripe total ${(stripeCents / 100).toFixed(2)} USD matches the catalogue`,
          'localstripe is one Python process; its list calls scan its whole store, so both runs slow down as objects accumulate (each starts from an empty store)',
          'per tenant: customer, invoice lookup, draft, retrieve, line list, 1–3 invoice items, retrieve, finalize (the baseline makes the same calls)',
        ],
      };
    } finally {
      await hub.stop();
      await owner.destroy();
      await peer.stop();
    }
  },
};

/** Tenants straight into Postgres (owner), with an admin user and a month of usage: plans and overage vary. */
export async function seedTenants(owner: Knex, prefix: string, count: number): Promise<BenchTenant[]> {
  const tenants: BenchTenant[] = Array.from({ length: count }, (_, index) => {
    const plan = PLAN_IDS[index % PLAN_IDS.length]!;
    const included = planOf(plan).apiCallsPerMonth;
    return {
      id: randomUUID(),
      slug: `${prefix}-${index}`,
      plan,
      usage: { apiCalls: included - 5_000 + (index % 11) * 1_000, scans: (index % 4) * planOf(plan).includedScans * 0.6, syncedRecords: 0, peakSeats: 1 },
    };
  });
  for (let start = 0; start < tenants.length; start += 200) {
    const batch = tenants.slice(start, start + 200);
    await owner('tenants').insert(batch.map((tenant) => ({ id: tenant.id, slug: tenant.slug, name: tenant.slug, plan: tenant.plan })));
    await owner('users').insert(
      batch.map((tenant) => ({ id: randomUUID(), tenant_id: tenant.id, email: `admin@${tenant.slug}.test`, name: 'admin', role: 'admin', status: 'active' })),
    );
    const events = batch.flatMap((tenant) => [
      { id: randomUUID(), tenant_id: tenant.id, kind: 'api_call', quantity: tenant.usage.apiCalls },
      ...(tenant.usage.scans > 0 ? [{ id: randomUUID(), tenant_id: tenant.id, kind: 'scan', quantity: tenant.usage.scans }] : []),
    ]);
    await owner('usage_events').insert(events);
  }
  return tenants;
}

/** Starts a billing run of the current month (`force`: it has not ended; the tenants exist only since now) and waits for it. */
export async function runBilling(apiUrl: string, adminToken: string, period: string, tenants: string[]): Promise<Record<string, number>> {
  const headers = { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' };
  const started = await fetch(`${apiUrl}/v1/admin/billing/runs`, { method: 'POST', headers, body: JSON.stringify({ period, tenants, force: true }) });
  if (started.status !== 202) throw new Error(`billing run: ${started.status} ${await started.text()}`);
  const { job } = (await started.json()) as { job: { id: string } };
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const polled = (await (await fetch(`${apiUrl}/v1/admin/billing/runs/${job.id}`, { headers })).json()) as {
      job: { status: string; result: Record<string, number> | null; error: unknown };
    };
    if (polled.job.status === 'completed') return polled.job.result!;
    if (polled.job.status === 'failed' || polled.job.status === 'cancelled')
      throw new Error(`billing run ${polled.job.status}: ${JSON.stringify(polled.job.error)}`);
  }
}

export async function allInvoices(stripe: Stripe): Promise<Stripe.Invoice[]> {
  const invoices: Stripe.Invoice[] = [];
  for await (const invoice of stripe.invoices.list({ limit: 100 })) invoices.push(invoice);
  return invoices;
}

/** The Stripe calls of one tenantInvoice, in its order, without Temporal or Postgres. Returns how many calls. */
async function invoiceDirectly(stripe: Stripe, tenant: BenchTenant, period: string): Promise<number> {
  const key = `bench-baseline:${tenant.id}:${period}`;
  const { lines } = computeInvoice(planOf(tenant.plan), period, tenant.usage);
  const metadata = { hub_tenant_id: tenant.id, hub_invoice_id: randomUUID(), hub_period: period };
  const customer = await stripe.customers.create({ name: tenant.slug, metadata: { hub_tenant_id: tenant.id } }, { idempotencyKey: `${key}:customer` });
  for await (const existing of stripe.invoices.list({ customer: customer.id, limit: 100 }))
    if (existing.metadata?.hub_invoice_id === metadata.hub_invoice_id) break;
  const draft = await stripe.invoices.create(
    {
      customer: customer.id,
      currency: BILLING_CURRENCY,
      collection_method: 'charge_automatically',
      auto_advance: false,
      pending_invoice_items_behavior: 'exclude',
      metadata,
    },
    { idempotencyKey: `${key}:create` },
  );
  await stripe.invoices.retrieve(draft.id);
  await stripe.invoices.listLineItems(draft.id, { limit: 100 });
  for (const line of lines) {
    await stripe.invoiceItems.create(
      {
        customer: customer.id,
        invoice: draft.id,
        amount: line.amountCents,
        currency: BILLING_CURRENCY,
        description: line.description,
        metadata: { ...metadata, hub_line: line.code },
      },
      { idempotencyKey: `${key}:line:${line.code}` },
    );
  }
  await stripe.invoices.retrieve(draft.id);
  await stripe.invoices.finalizeInvoice(draft.id, { auto_advance: true }, { idempotencyKey: `${key}:finalize` });
  return 7 + lines.length;
}
