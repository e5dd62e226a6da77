import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { getExternalWorkflowHandle, ParentClosePolicy, proxyActivities, startChild, upsertSearchAttributes, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { StripeEventOutcome } from '../activities/billing/createStripeEventActivities';
import { dunning } from './dunning';
import { JobKind, paymentFailedSignal, paymentSucceededSignal, TenantId, TenantSlug, type StripeEventInput } from './contracts';

export type { StripeEventInput };

const { applyStripeEvent } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 100 },
});

/**
 * Handles one Stripe webhook event durably (workflow id `stripe-event/<eventId>`): applies it to
 * the hub's invoice (once), then starts the invoice's dunning on a failed payment or tells the
 * running dunning that the invoice is paid. The webhook endpoint answers Stripe as soon as this
 * workflow is started.
 */
export async function stripeEvent(input: StripeEventInput): Promise<StripeEventOutcome> {
  const outcome = await applyStripeEvent({ eventId: input.eventId });
  if ('tenantId' in outcome) {
    upsertSearchAttributes([
      { key: TenantId, value: outcome.tenantId },
      { key: TenantSlug, value: outcome.tenantSlug },
    ]);
  }
  if (outcome.action === 'payment_failed') {
    const start = outcome.dunning;
    try {
      await startChild(dunning, {
        workflowId: start.workflowId,
        args: [start],
        // Dunning outlives this short workflow (days of durable timers).
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [
          { key: TenantId, value: start.tenantId },
          { key: TenantSlug, value: start.tenantSlug },
          { key: JobKind, value: 'dunning' },
        ],
        staticSummary: `Dunning of ${start.tenantSlug}'s ${start.period} invoice`,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      await getExternalWorkflowHandle(start.workflowId).signal(paymentFailedSignal);
    }
  }
  if (outcome.action === 'paid') {
    try {
      await getExternalWorkflowHandle(outcome.dunningWorkflowId).signal(paymentSucceededSignal);
    } catch {
      // No dunning is running for this invoice: nothing to stop.
    }
  }
  return outcome;
}
