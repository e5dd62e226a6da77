import { defineQuery, defineSignal } from '@temporalio/workflow';

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
