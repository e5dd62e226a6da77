import { type InvoiceLine, type PeriodUsage } from './invoiceLines';

/**
 * An invoice's life in the hub: `draft` (lines computed, Stripe invoice being built) → `open`
 * (finalized in Stripe, awaiting payment) → `paid`; a failed payment makes it `past_due` until a
 * retry or the tenant pays. `void` and `uncollectible` mirror Stripe.
 */
export const INVOICE_STATUSES = ['draft', 'open', 'past_due', 'paid', 'void', 'uncollectible'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** A row of `invoices` (unique per tenant and period). */
export interface InvoiceRow {
  id: string;
  tenant_id: string;
  period: string;
  status: InvoiceStatus;
  plan: string;
  currency: string;
  lines: InvoiceLine[];
  usage: PeriodUsage;
  subtotal_cents: string | number;
  total_cents: string | number;
  amount_paid_cents: string | number;
  stripe_customer_id: string | null;
  stripe_invoice_id: string | null;
  stripe_invoice_number: string | null;
  hosted_invoice_url: string | null;
  invoice_pdf_url: string | null;
  attempt_count: number;
  last_payment_error: string | null;
  billing_run_id: string | null;
  workflow_id: string | null;
  finalized_at: Date | null;
  payment_failed_at: Date | null;
  paid_at: Date | null;
  created_at: Date;
  updated_at: Date;
}
