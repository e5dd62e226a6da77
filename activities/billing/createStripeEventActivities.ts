import type Stripe from 'stripe';
import { durationMs } from '../../platform/config';
import { type InvoiceRow } from '../../platform/billing/invoiceRecord';
import { type TenantTransaction } from '../../platform/db';
import { emitEvent } from '../../platform/events/emitEvent';
import { uuidFromName } from '../../platform/ids';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { type ActivityDeps } from '../deps';
import { lockInvoice, markInvoicePaid } from './invoicePayments';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Everything the `dunning` workflow of an invoice needs to start. */
export interface DunningStart {
  workflowId: string;
  tenantId: string;
  tenantSlug: string;
  invoiceId: string;
  period: string;
  retryDelaysMs: number[];
  gracePeriodMs: number;
}

/** What applying one Stripe event did, and what the workflow must do next. */
export type StripeEventOutcome =
  | { action: 'ignored'; reason: string }
  | { action: 'duplicate' }
  | { action: 'finalized'; tenantId: string; tenantSlug: string }
  | { action: 'paid'; tenantId: string; tenantSlug: string; dunningWorkflowId: string; reactivated: boolean }
  | { action: 'payment_failed'; tenantId: string; tenantSlug: string; dunning: DunningStart };

type StripeInvoiceObject = { object?: string; id?: string; metadata?: Record<string, string>; last_payment_error?: { message?: string } } & Partial<
  Omit<Stripe.Invoice, 'metadata'>
>;

interface StoredEvent {
  id: string;
  type: string;
  payload: Stripe.Event;
  processed_at: Date | null;
}

/**
 * Applies Stripe events the webhook endpoint stored (`stripe_events`), each exactly once: the
 * invoice change and the event's processed mark commit in one transaction, and invoice changes only
 * move forward (a paid invoice stays paid, a late payment failure of it is ignored).
 */
export function createStripeEventActivities({ db, config }: Pick<ActivityDeps, 'db' | 'config'>) {
  async function finish(eventId: string, outcome: string): Promise<void> {
    await db.withPlatform((trx) => trx('stripe_events').where({ id: eventId }).whereNull('processed_at').update({ processed_at: trx.fn.now(), outcome }));
  }

  return {
    async applyStripeEvent(input: { eventId: string }): Promise<StripeEventOutcome> {
      const stored = await db.withPlatform((trx) => trx<StoredEvent>('stripe_events').where({ id: input.eventId }).first());
      if (!stored) return { action: 'ignored', reason: 'unknown event' };
      if (stored.processed_at) return { action: 'duplicate' };
      const object = stored.payload.data.object as StripeInvoiceObject;
      const tenantId = object.metadata?.hub_tenant_id;
      const invoiceId = object.metadata?.hub_invoice_id;
      if (
        object.object !== 'invoice' ||
        !UUID.test(tenantId ?? '') ||
        !UUID.test(invoiceId ?? '') ||
        !['invoice.finalized', 'invoice.paid', 'invoice.payment_failed'].includes(stored.type)
      ) {
        await finish(stored.id, 'ignored');
        return { action: 'ignored', reason: `${stored.type} is not about a hub invoice` };
      }

      // Tenant and platform scope in one transaction: the change and the event's processed mark
      // commit together, so an event is applied exactly once even if the worker dies in between.
      return db.withSettings({ 'app.tenant_id': tenantId!, 'app.platform': 'on' }, async (scoped): Promise<StripeEventOutcome> => {
        const trx = scoped as TenantTransaction;
        const claimed = await trx('stripe_events').where({ id: stored.id }).whereNull('processed_at').forUpdate().first('id');
        if (!claimed) return { action: 'duplicate' };
        const outcome = await applyToInvoice(trx, stored, object, tenantId!, invoiceId!);
        await trx('stripe_events').where({ id: stored.id }).update({ processed_at: trx.fn.now(), outcome: outcome.action });
        return outcome;
      });
    },
  };

  async function applyToInvoice(
    trx: TenantTransaction,
    stored: StoredEvent,
    object: StripeInvoiceObject,
    tenantId: string,
    invoiceId: string,
  ): Promise<StripeEventOutcome> {
    const tenant = (await trx('tenants').where({ id: tenantId }).first('slug')) as { slug: string } | undefined;
    const invoice = await lockInvoice(trx, invoiceId);
    if (!tenant || !invoice || invoice.stripe_invoice_id !== object.id) return { action: 'ignored', reason: 'no such hub invoice' };
    switch (stored.type) {
      case 'invoice.finalized':
        await recordFinalized(trx, invoice, object);
        return { action: 'finalized', tenantId, tenantSlug: tenant.slug };
      case 'invoice.paid': {
        const paidAt = object.status_transitions?.paid_at ? new Date(object.status_transitions.paid_at * 1000) : new Date(stored.payload.created * 1000);
        const { reactivated } = await markInvoicePaid(trx, invoice, {
          amountPaidCents: object.amount_paid ?? Number(invoice.total_cents),
          paidAt,
          source: `stripe:${stored.id}`,
        });
        return { action: 'paid', tenantId, tenantSlug: tenant.slug, dunningWorkflowId: workflowIds.dunning(tenant.slug, invoice.period), reactivated };
      }
      default: {
        if (invoice.status === 'paid' || invoice.status === 'void' || invoice.status === 'uncollectible')
          return { action: 'ignored', reason: `invoice is ${invoice.status}` };
        await recordPaymentFailure(trx, invoice, stored, object);
        return {
          action: 'payment_failed',
          tenantId,
          tenantSlug: tenant.slug,
          dunning: {
            workflowId: workflowIds.dunning(tenant.slug, invoice.period),
            tenantId,
            tenantSlug: tenant.slug,
            invoiceId,
            period: invoice.period,
            retryDelaysMs: config.DUNNING_RETRY_DELAYS.map(durationMs),
            gracePeriodMs: durationMs(config.DUNNING_GRACE_PERIOD),
          },
        };
      }
    }
  }
}

async function recordFinalized(trx: TenantTransaction, invoice: InvoiceRow, object: StripeInvoiceObject): Promise<void> {
  if (invoice.status !== 'draft') return;
  await trx('invoices')
    .where({ id: invoice.id })
    .update({
      status: 'open',
      stripe_invoice_number: object.number ?? null,
      hosted_invoice_url: object.hosted_invoice_url ?? null,
      invoice_pdf_url: object.invoice_pdf ?? null,
      finalized_at: trx.fn.now(),
      updated_at: trx.fn.now(),
    });
}

async function recordPaymentFailure(trx: TenantTransaction, invoice: InvoiceRow, stored: StoredEvent, object: StripeInvoiceObject): Promise<void> {
  const message = object.last_payment_error?.message ?? 'the payment failed';
  await trx('invoices')
    .where({ id: invoice.id })
    .update({
      status: 'past_due',
      attempt_count: invoice.attempt_count + 1,
      last_payment_error: message,
      payment_failed_at: trx.raw('coalesce(payment_failed_at, now())'),
      updated_at: trx.fn.now(),
    });
  await emitEvent(trx, {
    id: uuidFromName(`invoice-event:${invoice.id}:payment_failed:${stored.id}`),
    tenantId: invoice.tenant_id,
    type: 'invoice.payment_failed',
    data: {
      invoiceId: invoice.id,
      period: invoice.period,
      amountDueCents: Number(invoice.total_cents),
      currency: invoice.currency,
      attempt: invoice.attempt_count + 1,
      message,
      hostedInvoiceUrl: invoice.hosted_invoice_url,
    },
  });
}
