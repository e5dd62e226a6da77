import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { DunningStart } from '../activities/billing/createStripeEventActivities';
import { type DunningState, dunningStateQuery, paymentFailedSignal, paymentSucceededSignal } from './contracts';

export interface DunningResult {
  outcome: 'paid' | 'paid_after_suspension' | 'already_paid';
  retries: number;
  suspended: boolean;
}

const { invoicePaymentState, notifyDunning, retryInvoicePayment, suspendForNonPayment, liftSuspensionForInvoice } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 100 },
});

/**
 * Dunning of one unpaid invoice (workflow id `dunning/<slug>/<YYYY-MM>`, started on its first
 * failed payment): notify the tenant, retry the payment after each of `retryDelaysMs` (durable
 * timers: days in production, seconds in tests), and once the grace period from the first failure
 * is over without payment, suspend the tenant. A payment at any point (the `paymentSucceeded`
 * signal from the Stripe webhook, or a successful retry) ends it; after a suspension, the payment
 * lifts the suspension.
 */
export async function dunning(input: DunningStart): Promise<DunningResult> {
  const target = { tenantId: input.tenantId, invoiceId: input.invoiceId };
  const state: DunningState = { phase: 'notifying', failedAttempts: 1, retriesDone: 0, nextAttemptAt: null, suspendAt: null, suspended: false };
  let paid = false;
  setHandler(paymentSucceededSignal, () => {
    paid = true;
  });
  setHandler(paymentFailedSignal, () => {
    state.failedAttempts += 1;
  });
  setHandler(dunningStateQuery, () => state);

  const startedAt = Date.now();
  const suspendAt = new Date(Math.max(startedAt + input.gracePeriodMs, startedAt + input.retryDelaysMs.reduce((sum, delay) => sum + delay, 0)));
  state.suspendAt = suspendAt.toISOString();
  if ((await invoicePaymentState(target)).status === 'paid') return finish('already_paid');

  state.nextAttemptAt = input.retryDelaysMs.length > 0 ? new Date(Date.now() + input.retryDelaysMs[0]!).toISOString() : null;
  await notifyDunning({ ...target, notice: 'payment_failed', step: 'payment_failed', nextAttemptAt: state.nextAttemptAt, suspendAt: state.suspendAt });

  for (const [index, delay] of input.retryDelaysMs.entries()) {
    state.phase = 'waiting_to_retry';
    state.nextAttemptAt = new Date(Date.now() + delay).toISOString();
    if (await condition(() => paid, delay)) return finish('paid');
    const attempt = index + 1;
    const retry = await retryInvoicePayment({ ...target, attempt });
    state.retriesDone = attempt;
    if (retry.outcome === 'paid') return finish('paid');
    state.failedAttempts += 1;
    const following = input.retryDelaysMs[index + 1];
    state.nextAttemptAt = following === undefined ? null : new Date(Date.now() + following).toISOString();
    await notifyDunning({
      ...target,
      notice: 'retry_failed',
      step: `retry_${attempt}_failed`,
      attempt,
      nextAttemptAt: state.nextAttemptAt,
      suspendAt: state.suspendAt,
    });
  }

  state.phase = 'grace_period';
  state.nextAttemptAt = null;
  const remaining = suspendAt.getTime() - Date.now();
  if (remaining > 0 && (await condition(() => paid, remaining))) return finish('paid');
  if (paid) return finish('paid');

  const { suspended } = await suspendForNonPayment(target);
  if (!suspended) return finish((await invoicePaymentState(target)).status === 'paid' ? 'paid' : 'already_paid');
  state.phase = 'suspended';
  state.suspended = true;
  await notifyDunning({ ...target, notice: 'suspended', step: 'suspended', suspendAt: state.suspendAt });

  // Suspended until the invoice is paid (the Stripe webhook signals it; the payment handler has
  // already lifted the suspension — this makes sure of it and tells the tenant).
  await condition(() => paid);
  await liftSuspensionForInvoice(target);
  await notifyDunning({ ...target, notice: 'reactivated', step: 'reactivated' });
  return finish('paid_after_suspension');

  function finish(outcome: DunningResult['outcome']): DunningResult {
    state.phase = 'paid';
    state.nextAttemptAt = null;
    return { outcome, retries: state.retriesDone, suspended: state.suspended };
  }
}
