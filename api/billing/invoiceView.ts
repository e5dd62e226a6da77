import { z } from 'zod';
import { INVOICE_LINE_CODES } from '../../platform/billing/invoiceLines';
import { INVOICE_STATUSES, type InvoiceRow } from '../../platform/billing/invoiceRecord';
import { billingPeriod } from '../../platform/billing/periods';

export const invoiceLineSchema = z.object({
  code: z.enum(INVOICE_LINE_CODES),
  description: z.string(),
  quantity: z.number().int(),
  unitAmountCents: z.number().int(),
  amountCents: z.number().int(),
});

export const periodUsageSchema = z.object({
  apiCalls: z.number().int(),
  scans: z.number().int(),
  syncedRecords: z.number().int(),
  peakSeats: z.number().int(),
});

/** An invoice as the API shows it: lines and totals in integer cents, Stripe ids, status, hosted URL. */
export const invoiceSchema = z.object({
  id: z.uuid(),
  period: z.string().describe('YYYY-MM (UTC)'),
  periodStart: z.iso.datetime(),
  periodEnd: z.iso.datetime().describe('exclusive'),
  status: z.enum(INVOICE_STATUSES),
  plan: z.string(),
  currency: z.string(),
  lines: z.array(invoiceLineSchema),
  subtotalCents: z.number().int(),
  totalCents: z.number().int(),
  amountPaidCents: z.number().int(),
  amountDueCents: z.number().int(),
  usage: periodUsageSchema,
  stripe: z.object({ customerId: z.string().nullable(), invoiceId: z.string().nullable(), number: z.string().nullable() }),
  hostedInvoiceUrl: z.string().nullable(),
  invoicePdfUrl: z.string().nullable(),
  attemptCount: z.number().int(),
  lastPaymentError: z.string().nullable(),
  finalizedAt: z.iso.datetime().nullable(),
  paymentFailedAt: z.iso.datetime().nullable(),
  paidAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type InvoiceView = z.infer<typeof invoiceSchema>;

export function toInvoiceView(row: InvoiceRow): InvoiceView {
  const { start, end } = billingPeriod(row.period);
  const total = Number(row.total_cents);
  const paid = Number(row.amount_paid_cents);
  return {
    id: row.id,
    period: row.period,
    periodStart: start.toISOString(),
    periodEnd: end.toISOString(),
    status: row.status,
    plan: row.plan,
    currency: row.currency,
    lines: row.lines,
    subtotalCents: Number(row.subtotal_cents),
    totalCents: total,
    amountPaidCents: paid,
    amountDueCents: row.status === 'paid' || row.status === 'void' ? 0 : Math.max(0, total - paid),
    usage: row.usage,
    stripe: { customerId: row.stripe_customer_id, invoiceId: row.stripe_invoice_id, number: row.stripe_invoice_number },
    hostedInvoiceUrl: row.hosted_invoice_url,
    invoicePdfUrl: row.invoice_pdf_url,
    attemptCount: row.attempt_count,
    lastPaymentError: row.last_payment_error,
    finalizedAt: iso(row.finalized_at),
    paymentFailedAt: iso(row.payment_failed_at),
    paidAt: iso(row.paid_at),
    createdAt: iso(row.created_at)!,
  };
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
