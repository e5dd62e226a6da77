import Stripe from 'stripe';
import { type HubConfig } from '../config';
import { BudgetedStripeHttpClient, type StripeBudgetConfig, stripeRateBudget } from './stripeRateBudget';

/** Thrown when billing needs Stripe and STRIPE_SECRET_KEY is not configured. */
export class BillingNotConfiguredError extends Error {
  constructor(what: string) {
    super(`${what} is not set: billing cannot reach Stripe`);
    this.name = 'BillingNotConfiguredError';
  }
}

/**
 * The official Stripe client for the hub's own billing account (not a tenant's connector):
 * `STRIPE_API_BASE` overrides host, port and protocol (tests: localstripe). The SDK's own retries
 * are off: Temporal retries the activities, and every write carries an idempotency key. Every
 * request takes a slot of the rate budget shared by all processes (`STRIPE_MAX_RPS`, see
 * {@link BudgetedStripeHttpClient}), which also waits out Stripe's 429s; `budget` replaces it (tests).
 */
export function createBillingStripe(
  config: Pick<HubConfig, 'STRIPE_API_BASE' | 'STRIPE_SECRET_KEY'> & StripeBudgetConfig,
  budget?: Pick<ReturnType<typeof stripeRateBudget>, 'take' | 'pause'>,
): Stripe {
  if (!config.STRIPE_SECRET_KEY) throw new BillingNotConfiguredError('STRIPE_SECRET_KEY');
  const base = new URL(config.STRIPE_API_BASE);
  const http = base.protocol === 'http:';
  return new Stripe(config.STRIPE_SECRET_KEY, {
    host: base.hostname,
    port: base.port || (http ? 80 : 443),
    protocol: http ? 'http' : 'https',
    maxNetworkRetries: 0,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'integration-hub-billing' },
    httpClient: new BudgetedStripeHttpClient(Stripe.createNodeHttpClient(), budget ?? stripeRateBudget(config)),
  });
}
