import { appendAudit } from '../../platform/audit';
import { type InvoiceRow } from '../../platform/billing/invoiceRecord';
import { type TenantTransaction } from '../../platform/db';
import { emitEvent } from '../../platform/events/emitEvent';
import { uuidFromName } from '../../platform/ids';

const SYSTEM = { type: 'system' as const, id: 'billing' };

/** Locks the tenant's invoice row for the rest of the transaction (payment events and dunning serialise on it). */
export async function lockInvoice(trx: TenantTransaction, invoiceId: string): Promise<InvoiceRow | undefined> {
  return trx<InvoiceRow>('invoices').where({ id: invoiceId }).forUpdate().first();
}

/**
 * Records a payment: the invoice becomes `paid` (once: later calls change nothing), the
 * `invoice.paid` event and an audit row are written with it, and a suspension for non-payment of
 * this invoice is lifted. Call inside the tenant's transaction after {@link lockInvoice}.
 */
export async function markInvoicePaid(
  trx: TenantTransaction,
  invoice: InvoiceRow,
  payment: { amountPaidCents: number; paidAt: Date; source: string },
): Promise<{ changed: boolean; reactivated: boolean }> {
  if (invoice.status === 'paid') return { changed: false, reactivated: false };
  await trx('invoices')
    .where({ id: invoice.id })
    .update({ status: 'paid', amount_paid_cents: payment.amountPaidCents, paid_at: payment.paidAt, last_payment_error: null, updated_at: trx.fn.now() });
  await emitEvent(trx, {
    id: uuidFromName(`invoice-event:${invoice.id}:paid`),
    tenantId: invoice.tenant_id,
    type: 'invoice.paid',
    data: {
      invoiceId: invoice.id,
      period: invoice.period,
      amountPaidCents: payment.amountPaidCents,
      currency: invoice.currency,
      stripeInvoiceId: invoice.stripe_invoice_id,
    },
  });
  await appendAudit(trx, {
    tenantId: invoice.tenant_id,
    actor: SYSTEM,
    action: 'invoice.paid',
    target: { type: 'invoice', id: invoice.id },
    details: { period: invoice.period, amountPaidCents: payment.amountPaidCents, source: payment.source },
    eventKey: `invoice:${invoice.id}:paid`,
  });
  const reactivated = await liftBillingSuspension(trx, invoice);
  return { changed: true, reactivated };
}

/**
 * Ends the suspension dunning imposed for this invoice. The tenant becomes active again when no
 * other unpaid invoice keeps it suspended; a suspension the platform admin imposed (no billing
 * suspension recorded) is left alone. Returns whether the tenant was reactivated.
 */
export async function liftBillingSuspension(trx: TenantTransaction, invoice: Pick<InvoiceRow, 'id' | 'tenant_id'>): Promise<boolean> {
  const lifted = await trx('billing_suspensions')
    .where({ invoice_id: invoice.id })
    .whereNull('lifted_at')
    .update({ lifted_at: trx.fn.now() })
    .returning('invoice_id');
  if (lifted.length === 0) return false;
  const stillOwed = await trx('billing_suspensions').whereNull('lifted_at').first('invoice_id');
  if (stillOwed) return false;
  const reactivated = await trx('tenants')
    .where({ id: invoice.tenant_id, status: 'suspended' })
    .update({ status: 'active', updated_at: trx.fn.now() })
    .returning('id');
  if (reactivated.length === 0) return false;
  await appendAudit(trx, {
    tenantId: invoice.tenant_id,
    actor: SYSTEM,
    action: 'tenant.reactivated',
    target: { type: 'tenant', id: invoice.tenant_id },
    details: { reason: 'invoice_paid', invoiceId: invoice.id, before: { status: 'suspended' }, after: { status: 'active' } },
    eventKey: `invoice:${invoice.id}:tenant.reactivated`,
  });
  return true;
}
