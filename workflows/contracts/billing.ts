import { defineQuery, defineSignal } from '@temporalio/workflow';

/** What a billing run reports while it goes and at its end (`monthlyBilling`'s result). */
export interface BillingRunProgress extends Record<string, unknown> {
  phase: string;
  /** Tenants handled (invoiced, found already invoiced, skipped or failed). */
  done: number;
  total: number | null;
  invoiced: number;
  alreadyInvoiced: number;
  /** Being invoiced by another run of the same period at the time. */
  inProgressElsewhere: number;
  failed: number;
  /** Slugs of tenants whose invoice failed (the first 50). */
  failures: Array<{ tenantSlug: string; message: string }>;
  /** Sum of the invoices this run created, in cents. */
  invoicedCents: number;
}

/** A running billing run's progress; the same query name as jobs' `progress`, so the API reads both alike. */
export const billingProgressQuery = defineQuery<BillingRunProgress & { billingRunId: string; period: string }>('progress');

/** Sent to an invoice's `dunning` workflow when Stripe reports the invoice paid. */
export const paymentSucceededSignal = defineSignal('paymentSucceeded');
/** Sent when Stripe reports another failed payment of the invoice. */
export const paymentFailedSignal = defineSignal('paymentFailed');

/** Where a dunning stands (`dunningState` query). */
export interface DunningState {
  phase: 'notifying' | 'waiting_to_retry' | 'grace_period' | 'suspended' | 'paid';
  failedAttempts: number;
  retriesDone: number;
  nextAttemptAt: string | null;
  suspendAt: string | null;
  suspended: boolean;
}
export const dunningStateQuery = defineQuery<DunningState>('dunningState');
