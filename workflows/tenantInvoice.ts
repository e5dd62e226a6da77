import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import { NON_RETRYABLE_CONNECTOR_FAILURE_TYPES, type TenantInvoiceInput, type TenantInvoiceResult } from './contracts';

export type { TenantInvoiceInput, TenantInvoiceResult };

// Stripe steps are short calls; a dead worker's attempt is retried after 20 s. Stripe outages are
// waited out for about half an hour before the tenant counts as failed in its run.
const { prepareInvoice, ensureStripeCustomer, createStripeInvoice, addStripeInvoiceLines, finalizeStripeInvoice } = proxyActivities<HubActivities>({
  startToCloseTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 30,
    nonRetryableErrorTypes: NON_RETRYABLE_CONNECTOR_FAILURE_TYPES,
  },
});

/**
 * One tenant's invoice for one period (workflow id `billing/<slug>/<YYYY-MM>`): lines from the
 * usage rollups → the Stripe customer → the Stripe draft, its lines, finalization → recorded in
 * Postgres with the `invoice.created` event. Every step is idempotent (unique invoice per tenant
 * and period, deterministic Stripe idempotency keys, look-before-create), so running it again —
 * a re-run of the period, a retried activity, a replacement worker — never invoices twice.
 */
export async function tenantInvoice(input: TenantInvoiceInput): Promise<TenantInvoiceResult> {
  const prepared = await prepareInvoice({
    tenantId: input.tenantId,
    period: input.period,
    billingRunId: input.billingRunId,
    workflowId: workflowInfo().workflowId,
  });
  if (prepared.status !== 'draft') return { invoiceId: prepared.invoiceId, outcome: 'existing', status: prepared.status, totalCents: prepared.totalCents };
  const target = { tenantId: input.tenantId, invoiceId: prepared.invoiceId };
  await ensureStripeCustomer({ tenantId: input.tenantId });
  await createStripeInvoice(target);
  await addStripeInvoiceLines(target);
  const issued = await finalizeStripeInvoice(target);
  return { invoiceId: issued.invoiceId, outcome: 'created', status: issued.status, totalCents: issued.totalCents };
}
