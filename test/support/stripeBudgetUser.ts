import { createBillingStripe } from '../../platform/billing/stripeClient';
import { loadConfig } from '../../platform/config';

/**
 * One user of the hub's Stripe rate budget, run as its own process by the rate-budget test: the
 * billing client of platform/billing (budget included) sends BUDGET_USER_REQUESTS customer
 * listings, BUDGET_USER_CONCURRENCY at a time, as fast as the budget lets it, then prints
 * `{"succeeded":n,"failed":n}` and exits.
 */
async function main(): Promise<void> {
  const stripe = createBillingStripe(loadConfig());
  const total = Number(process.env.BUDGET_USER_REQUESTS ?? 20);
  const concurrency = Number(process.env.BUDGET_USER_CONCURRENCY ?? 5);
  let started = 0;
  let succeeded = 0;
  const errors: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started += 1;
        try {
          await stripe.customers.list({ limit: 1 });
          succeeded += 1;
        } catch (error) {
          errors.push(String(error));
        }
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ succeeded, failed: errors.length, errors: errors.slice(0, 3) })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
