import pg from 'pg';
import Stripe from 'stripe';
import { type HubConfig } from '../config';
import { appDatabaseUrl } from '../db';
import { RequestRateBudget } from '../requestRateBudget';

/** What the Stripe client needs of the configuration to find the shared budget. */
export type StripeBudgetConfig = Pick<HubConfig, 'STRIPE_MAX_RPS' | 'DATABASE_URL' | 'DATABASE_APP_URL' | 'DATABASE_APP_PASSWORD'>;

/** A 429 is sent again at most this many times by the client itself; then the caller sees it (activities: Temporal retries). */
const RATE_LIMITED_RESENDS = 6;
/** A Retry-After longer than this is not waited out in the request: the caller's retry policy does. */
const LONGEST_IN_REQUEST_WAIT_MS = 30_000;
/** Without Retry-After: 1 s, 2 s, 4 s … (with jitter), as Stripe advises for 429s. */
const FIRST_BACKOFF_MS = 1_000;

const budgets = new Map<string, RequestRateBudget>();

/**
 * The hub's Stripe request budget (`STRIPE_MAX_RPS`), one per process and database: every client
 * {@link createBillingStripe} makes in this process shares it, and through `request_rate_slots`
 * it is shared with every other API and worker process on the same database. Its own small pool
 * (two connections, released when idle) keeps it apart from the callers' transactions.
 */
export function stripeRateBudget(config: StripeBudgetConfig): RequestRateBudget {
  const url = appDatabaseUrl(config);
  const key = `${url}#${config.STRIPE_MAX_RPS}`;
  let budget = budgets.get(key);
  if (!budget) {
    const pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 10_000, allowExitOnIdle: true, application_name: 'hub-stripe-budget' });
    // An idle connection's error (a database restart) must not take the process down; the next query reconnects.
    pool.on('error', () => undefined);
    budget = new RequestRateBudget(pool, { budget: 'stripe', requestsPerSecond: config.STRIPE_MAX_RPS });
    budgets.set(key, budget);
  }
  return budget;
}

/**
 * The Stripe SDK's HTTP client with the rate budget in front: every HTTP request the SDK makes
 * (each page of a list, the SDK's own resend of a closed connection, and the resends below) first
 * takes a slot. A 429 is Stripe saying the request was not processed: the budget is closed for
 * everyone for Stripe's `Retry-After` (or an exponential backoff without one), and the same
 * request — the same bytes, the same `Idempotency-Key` — goes out again on a new slot.
 */
export class BudgetedStripeHttpClient extends Stripe.HttpClient {
  constructor(
    private readonly inner: Stripe.HttpClient,
    private readonly budget: Pick<RequestRateBudget, 'take' | 'pause'>,
  ) {
    super();
  }

  override getClientName(): string {
    return this.inner.getClientName();
  }

  override async makeRequest(...args: Parameters<Stripe.HttpClient['makeRequest']>): Promise<Stripe.HttpClientResponse> {
    for (let resend = 0; ; resend += 1) {
      await this.budget.take();
      const response = await this.inner.makeRequest(...args);
      if (response.getStatusCode() !== 429 || resend >= RATE_LIMITED_RESENDS) return response;
      const waitMs = rateLimitWaitMs(response.getHeaders(), resend);
      if (waitMs > LONGEST_IN_REQUEST_WAIT_MS) return response;
      // The body is not needed: read it to the end so the keep-alive socket is reused.
      await Promise.resolve(response.toJSON()).catch(() => undefined);
      // Closing the seconds to come makes the next `take` (this resend's, and everyone's) wait them out.
      await this.budget.pause(waitMs);
    }
  }
}

function rateLimitWaitMs(headers: Record<string, string | string[] | undefined>, resend: number): number {
  const header = headers['retry-after'];
  const backoff = FIRST_BACKOFF_MS * 2 ** resend * (0.5 + Math.random() / 2);
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return Math.max(FIRST_BACKOFF_MS, backoff);
  // Retry-After is seconds, or an HTTP date.
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? Math.max(FIRST_BACKOFF_MS, backoff) : Math.max(0, date - Date.now());
}
