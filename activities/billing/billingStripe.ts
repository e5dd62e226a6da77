import { ApplicationFailure } from '@temporalio/common';
import Stripe from 'stripe';
import { TransientError } from '../../connectors/errors';
import { classifyStripeError } from '../../connectors/stripe';
import { type HubConfig } from '../../platform/config';
import { BillingNotConfiguredError, createBillingStripe } from '../../platform/billing/stripeClient';
import { type StripeBudgetConfig } from '../../platform/billing/stripeRateBudget';
import { toActivityFailure } from '../connectors/connectorRuntime';
import { BILLING_FAILURES } from '../../workflows/contracts';

/** Failure types of billing activities (all created non-retryable). */
export { BILLING_FAILURES };

/**
 * Calls to the hub's Stripe billing account from activities: one client per worker process
 * (keep-alive), created on first use so a worker without STRIPE_SECRET_KEY still starts. Errors
 * become Temporal failures the way connector errors do (auth and bad requests are not retried,
 * rate limits wait for Retry-After, 5xx and resets retry with backoff).
 */
export function billingStripe(config: Pick<HubConfig, 'STRIPE_API_BASE' | 'STRIPE_SECRET_KEY'> & StripeBudgetConfig) {
  let client: Stripe | undefined;
  return async function callStripe<T>(work: (stripe: Stripe) => Promise<T>): Promise<T> {
    try {
      client ??= createBillingStripe(config);
      return await work(client);
    } catch (error) {
      throw toBillingFailure(error);
    }
  };
}

export type CallStripe = ReturnType<typeof billingStripe>;

function toBillingFailure(error: unknown): unknown {
  if (error instanceof BillingNotConfiguredError)
    return ApplicationFailure.create({ type: BILLING_FAILURES.notConfigured, message: error.message, nonRetryable: true });
  // Another request with the same idempotency key still in flight (e.g. a timed-out attempt): retry.
  if (error instanceof Stripe.errors.StripeError && error.statusCode === 409) {
    return toActivityFailure(new TransientError(`Stripe: ${error.message}`, 409, { cause: error }));
  }
  return toActivityFailure(classifyStripeError(error));
}
