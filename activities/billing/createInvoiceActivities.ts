import { ApplicationFailure } from '@temporalio/common';
import type Stripe from 'stripe';
import { appendAudit } from '../../platform/audit';
import { BILLING_CURRENCY, type PlanId, planOf } from '../../platform/billing/catalogue';
import { computeInvoice } from '../../platform/billing/invoiceLines';
import { type InvoiceRow } from '../../platform/billing/invoiceRecord';
import { readPeriodUsage } from '../../platform/billing/periodUsage';
import { periodLabel } from '../../platform/billing/periods';
import { invoiceIdOf, stripeIdempotencyKeys } from '../../platform/billing/stripeIdempotencyKeys';
import { emitEvent } from '../../platform/events/emitEvent';
import { uuidFromName } from '../../platform/ids';
import { type ActivityDeps } from '../deps';
import { BILLING_FAILURES, billingStripe } from './billingStripe';

/** Where an invoice stands after {@link prepareInvoice}. */
export interface PreparedInvoice {
  invoiceId: string;
  status: InvoiceRow['status'];
  totalCents: number;
  lineCount: number;
}

export interface IssuedInvoice {
  invoiceId: string;
  status: InvoiceRow['status'];
  totalCents: number;
  stripeInvoiceId: string;
  number: string | null;
}

/** Metadata the hub puts on Stripe objects: how webhooks find the tenant and invoice again. */
function invoiceMetadata(invoice: Pick<InvoiceRow, 'id' | 'tenant_id' | 'period'>) {
  return { hub_tenant_id: invoice.tenant_id, hub_invoice_id: invoice.id, hub_period: invoice.period };
}

/**
 * The steps of one tenant's invoice (workflow `tenantInvoice`). Each is idempotent on its own:
 * the invoice row is unique per tenant and period, every Stripe write carries a deterministic
 * idempotency key, and each step first looks at what Stripe and Postgres already have, so a
 * retried activity, a crashed worker or a re-run of the period never creates a second invoice.
 */
export function createInvoiceActivities({ db, config }: Pick<ActivityDeps, 'db' | 'config'>) {
  const callStripe = billingStripe(config);

  /** The invoice row (with the tenant's Stripe customer id when asked: one round trip either way). */
  async function loadInvoice(tenantId: string, invoiceId: string, withCustomer = false): Promise<InvoiceRow & { customer_id?: string }> {
    const row = await db
      .readAsTenant<InvoiceRow & { customer_id?: string }>(
        tenantId,
        db
          .knex('invoices')
          .where({ 'invoices.id': invoiceId })
          .modify((query) =>
            withCustomer
              ? query
                  .leftJoin('billing_customers', 'billing_customers.tenant_id', 'invoices.tenant_id')
                  .select('invoices.*', 'billing_customers.stripe_customer_id as customer_id')
              : query.select('invoices.*'),
          ),
      )
      .then((rows) => rows[0]);
    if (!row)
      throw ApplicationFailure.create({
        type: BILLING_FAILURES.unknownInvoice,
        message: `invoice ${invoiceId} of tenant ${tenantId} does not exist`,
        nonRetryable: true,
      });
    return row;
  }

  return {
    /**
     * Computes the period's lines from the usage rollups and records the invoice as a draft, once:
     * if the tenant already has an invoice for the period, that one is returned unchanged (its
     * lines were frozen when it was first prepared).
     */
    async prepareInvoice(input: { tenantId: string; period: string; billingRunId?: string; workflowId: string }): Promise<PreparedInvoice> {
      const invoiceId = invoiceIdOf(input.tenantId, input.period);
      return db.withTenant(input.tenantId, async (trx) => {
        let row = await trx<InvoiceRow>('invoices').where({ tenant_id: input.tenantId, period: input.period }).first();
        if (!row) {
          const tenant = (await trx('tenants').where({ id: input.tenantId }).first('plan')) as { plan: PlanId };
          const plan = planOf(tenant.plan);
          const usage = await readPeriodUsage(trx, input.tenantId, input.period);
          const computed = computeInvoice(plan, input.period, usage);
          await trx('invoices')
            .insert({
              id: invoiceId,
              tenant_id: input.tenantId,
              period: input.period,
              status: 'draft',
              plan: plan.id,
              currency: BILLING_CURRENCY,
              lines: JSON.stringify(computed.lines),
              // What the invoice shows of the usage (the wallet's share is in the scans line).
              usage: JSON.stringify({ apiCalls: usage.apiCalls, scans: usage.scans, syncedRecords: usage.syncedRecords, peakSeats: usage.peakSeats }),
              subtotal_cents: computed.subtotalCents,
              total_cents: computed.totalCents,
              billing_run_id: input.billingRunId ?? null,
              workflow_id: input.workflowId,
            })
            .onConflict(['tenant_id', 'period'])
            .ignore();
          row = (await trx<InvoiceRow>('invoices').where({ tenant_id: input.tenantId, period: input.period }).first())!;
        }
        return { invoiceId: row.id, status: row.status, totalCents: Number(row.total_cents), lineCount: row.lines.length };
      });
    },

    /** The tenant's Stripe customer: the recorded one, or a new one (idempotency key per tenant). */
    async ensureStripeCustomer(input: { tenantId: string }): Promise<{ stripeCustomerId: string; created: boolean }> {
      const known = await db.withTenant(input.tenantId, async (trx) => {
        const customer = (await trx('billing_customers').where({ tenant_id: input.tenantId }).first('stripe_customer_id')) as
          { stripe_customer_id: string } | undefined;
        const tenant = (await trx('tenants').where({ id: input.tenantId }).first('name', 'slug')) as { name: string; slug: string };
        const admin = (await trx('users').where({ role: 'admin' }).whereIn('status', ['active', 'invited']).orderBy('created_at').first('email')) as
          { email: string } | undefined;
        return { stripeCustomerId: customer?.stripe_customer_id, tenant, email: admin?.email };
      });
      if (known.stripeCustomerId) return { stripeCustomerId: known.stripeCustomerId, created: false };
      const customer = await callStripe((stripe) =>
        stripe.customers.create(
          {
            name: known.tenant.name,
            ...(known.email ? { email: known.email } : {}),
            metadata: { hub_tenant_id: input.tenantId, hub_tenant_slug: known.tenant.slug },
          },
          { idempotencyKey: stripeIdempotencyKeys.customer(input.tenantId) },
        ),
      );
      const stored = await db.withTenant(input.tenantId, async (trx) => {
        await trx('billing_customers').insert({ tenant_id: input.tenantId, stripe_customer_id: customer.id }).onConflict('tenant_id').ignore();
        return (await trx('billing_customers').where({ tenant_id: input.tenantId }).first('stripe_customer_id')) as { stripe_customer_id: string };
      });
      return { stripeCustomerId: stored.stripe_customer_id, created: stored.stripe_customer_id === customer.id };
    },

    /**
     * The invoice's Stripe draft: the recorded one; else one already on the customer carrying this
     * invoice's id in its metadata (a crash after Stripe answered, beyond the idempotency key's
     * 24 hours); else a new draft (one-off, charged automatically, no pending items swept in).
     */
    async createStripeInvoice(input: { tenantId: string; invoiceId: string }): Promise<{ stripeInvoiceId: string; created: boolean }> {
      const invoice = await loadInvoice(input.tenantId, input.invoiceId, true);
      if (invoice.stripe_invoice_id) return { stripeInvoiceId: invoice.stripe_invoice_id, created: false };
      const customer = { stripe_customer_id: invoice.customer_id! };
      let created = false;
      const stripeInvoice = await callStripe(async (stripe) => {
        const existing = await findInvoiceOnCustomer(stripe, customer.stripe_customer_id, invoice.id);
        if (existing) return existing;
        created = true;
        return stripe.invoices.create(
          {
            customer: customer.stripe_customer_id,
            currency: invoice.currency,
            collection_method: 'charge_automatically',
            auto_advance: false,
            pending_invoice_items_behavior: 'exclude',
            description: `Integration Hub, ${periodLabel(invoice.period)}`,
            metadata: invoiceMetadata(invoice),
          },
          { idempotencyKey: stripeIdempotencyKeys.invoice(invoice.tenant_id, invoice.period) },
        );
      });
      await db.withTenant(input.tenantId, (trx) =>
        trx('invoices')
          .where({ id: invoice.id })
          .whereNull('stripe_invoice_id')
          .update({ stripe_invoice_id: stripeInvoice.id, stripe_customer_id: customer.stripe_customer_id, updated_at: trx.fn.now() }),
      );
      return { stripeInvoiceId: stripeInvoice.id, created };
    },

    /**
     * Adds the invoice's lines to its Stripe draft: lines already there (by `hub_line` metadata)
     * are skipped, the others created with a key per tenant, period and line.
     */
    async addStripeInvoiceLines(input: { tenantId: string; invoiceId: string }): Promise<{ created: number; existing: number }> {
      const invoice = await loadInvoice(input.tenantId, input.invoiceId);
      if (invoice.status !== 'draft' || !invoice.stripe_invoice_id) return { created: 0, existing: invoice.lines.length };
      const stripeInvoiceId = invoice.stripe_invoice_id;
      return callStripe(async (stripe) => {
        const current = await stripe.invoices.retrieve(stripeInvoiceId);
        if (current.status !== 'draft') return { created: 0, existing: invoice.lines.length };
        const present = new Set<string>();
        for await (const line of stripe.invoices.listLineItems(stripeInvoiceId, { limit: 100 })) {
          if (line.metadata?.hub_line) present.add(line.metadata.hub_line);
        }
        let created = 0;
        for (const line of invoice.lines) {
          if (present.has(line.code)) continue;
          await stripe.invoiceItems.create(
            {
              customer: invoice.stripe_customer_id!,
              invoice: stripeInvoiceId,
              amount: line.amountCents,
              currency: invoice.currency,
              description: line.quantity === 1 ? line.description : `${line.description} (${line.quantity} × ${formatCents(line.unitAmountCents)})`,
              metadata: {
                ...invoiceMetadata(invoice),
                hub_line: line.code,
                hub_quantity: String(line.quantity),
                hub_unit_amount: String(line.unitAmountCents),
              },
            },
            { idempotencyKey: stripeIdempotencyKeys.line(invoice.tenant_id, invoice.period, line.code) },
          );
          created += 1;
        }
        return { created, existing: present.size };
      });
    },

    /**
     * Finalizes the Stripe invoice (after checking its total is the hub's to the cent) and records
     * it: status, number, hosted URL, with the `invoice.created` event and an audit row in the
     * same transaction, written once whatever the retries.
     */
    async finalizeStripeInvoice(input: { tenantId: string; invoiceId: string }): Promise<IssuedInvoice> {
      const invoice = await loadInvoice(input.tenantId, input.invoiceId);
      const stripeInvoiceId = invoice.stripe_invoice_id!;
      const expected = Number(invoice.total_cents);
      const finalized = await callStripe(async (stripe) => {
        const current = await stripe.invoices.retrieve(stripeInvoiceId);
        if (current.status !== 'draft') return current;
        if (current.total !== expected || current.currency !== invoice.currency) {
          throw ApplicationFailure.create({
            type: BILLING_FAILURES.totalMismatch,
            message: `Stripe draft ${stripeInvoiceId} totals ${current.total} ${current.currency}, the hub computed ${expected} ${invoice.currency}: not finalized`,
            nonRetryable: true,
          });
        }
        return stripe.invoices.finalizeInvoice(
          stripeInvoiceId,
          { auto_advance: true },
          { idempotencyKey: stripeIdempotencyKeys.finalize(invoice.tenant_id, invoice.period) },
        );
      });
      const status: InvoiceRow['status'] = finalized.status === 'paid' ? 'paid' : 'open';
      const row = await db.withTenant(input.tenantId, async (trx) => {
        const [updated] = await trx<InvoiceRow>('invoices')
          .where({ id: invoice.id, status: 'draft' })
          .update({
            status,
            stripe_invoice_number: finalized.number ?? null,
            hosted_invoice_url: finalized.hosted_invoice_url ?? null,
            invoice_pdf_url: finalized.invoice_pdf ?? null,
            finalized_at: new Date((finalized.status_transitions?.finalized_at ?? Math.floor(Date.now() / 1000)) * 1000),
            paid_at: status === 'paid' ? trx.fn.now() : null,
            updated_at: trx.fn.now(),
          } as never)
          .returning('*');
        if (!updated) return (await trx<InvoiceRow>('invoices').where({ id: invoice.id }).first())!;
        await emitEvent(trx, {
          id: uuidFromName(`invoice-event:${invoice.id}:created`),
          tenantId: invoice.tenant_id,
          type: 'invoice.created',
          data: {
            invoiceId: invoice.id,
            period: invoice.period,
            totalCents: expected,
            currency: invoice.currency,
            number: updated.stripe_invoice_number,
            hostedInvoiceUrl: updated.hosted_invoice_url,
            stripeInvoiceId,
          },
        });
        await appendAudit(trx, {
          tenantId: invoice.tenant_id,
          actor: { type: 'system', id: 'billing' },
          action: 'invoice.created',
          target: { type: 'invoice', id: invoice.id },
          details: { period: invoice.period, totalCents: expected, stripeInvoiceId, number: updated.stripe_invoice_number },
          eventKey: `invoice:${invoice.id}:created`,
        });
        return updated;
      });
      return { invoiceId: row.id, status: row.status, totalCents: Number(row.total_cents), stripeInvoiceId, number: row.stripe_invoice_number };
    },
  };
}

/** The customer's invoice made for this hub invoice, if any (newest first, a few pages at most). */
async function findInvoiceOnCustomer(stripe: Stripe, customerId: string, invoiceId: string): Promise<Stripe.Invoice | undefined> {
  let seen = 0;
  for await (const candidate of stripe.invoices.list({ customer: customerId, limit: 100 })) {
    if (candidate.metadata?.hub_invoice_id === invoiceId) return candidate;
    seen += 1;
    if (seen >= 500) break;
  }
  return undefined;
}

function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
