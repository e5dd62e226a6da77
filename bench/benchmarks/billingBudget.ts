import knex from 'knex';
import Stripe from 'stripe';
import { periodOf } from '../../platform/billing/periods';
import { busiestSecond, startStripePeer, STRIPE_TEST_KEY } from '../../test/peers/stripe/stripePeer';
import { type Benchmark } from '../harness';
import { startHubProcesses, startWorkerProcess } from '../support/hubProcesses';
import { allInvoices, runBilling, seedTenants } from './billingRun';

/** 500 tenants (about 5,000 Stripe requests, 200 s at 25/s) by default; BENCH_BILLING_BUDGET_TENANTS for the 2,000. */
const TENANTS = Number(process.env.BENCH_BILLING_BUDGET_TENANTS ?? 500);
const BUDGET = Number(process.env.BENCH_STRIPE_MAX_RPS ?? 25);
const WARM_UP_TENANTS = 10;
/** Enough invoices at once that the run, not the budget, is never the one waiting (20 left the budget a quarter unused). */
const CONCURRENCY = 40;

/**
 * Billing at Stripe's real limits: a billing run over TENANTS tenants with `STRIPE_MAX_RPS` at 25
 * (Stripe's test-mode limit) and two worker processes sharing it, against localstripe. Counted
 * at the Stripe peer, where Stripe's own limiter would count: requests per second against the
 * budget (target ≥ 0.9 of it used over the run), the busiest second (never above the budget) and
 * duplicate Stripe invoices (0).
 */
export const billingBudget: Benchmark = {
  name: 'billingBudget',
  description: `billing run over ${TENANTS} tenants at STRIPE_MAX_RPS=${BUDGET} with two worker processes against localstripe: Stripe requests/s against the budget, busiest second, duplicates`,
  async run(context) {
    const peer = await startStripePeer({ port: 0 });
    const owner = knex({ client: 'pg', connection: context.env.DATABASE_URL, pool: { min: 0, max: 2 } });
    const env = {
      STRIPE_API_BASE: peer.url,
      STRIPE_SECRET_KEY: STRIPE_TEST_KEY,
      STRIPE_MAX_RPS: String(BUDGET),
      BILLING_SCHEDULE_ENABLED: 'false',
      BILLING_CONCURRENCY: String(CONCURRENCY),
    };
    const hub = await startHubProcesses(context, env);
    const secondWorker = await startWorkerProcess(context, env);
    const stripe = new Stripe(STRIPE_TEST_KEY, { host: '127.0.0.1', port: new URL(peer.directUrl).port, protocol: 'http', maxNetworkRetries: 0 });
    const period = periodOf(new Date());
    const prefix = `budget-${Date.now().toString(36)}`;
    try {
      const warmUp = await seedTenants(owner, `${prefix}-warm`, WARM_UP_TENANTS);
      const tenants = await seedTenants(owner, prefix, TENANTS);
      context.log(`billingBudget: ${TENANTS} tenants seeded; warm-up run of ${WARM_UP_TENANTS}`);
      await runBilling(
        hub.apiUrl,
        hub.adminToken,
        period,
        warmUp.map((tenant) => tenant.slug),
      );
      await peer.flush();
      peer.arrivals.length = 0;

      context.log(`billingBudget: billing run over ${TENANTS} tenants at ${BUDGET} Stripe requests/s`);
      const started = performance.now();
      const result = await runBilling(
        hub.apiUrl,
        hub.adminToken,
        period,
        tenants.map((tenant) => tenant.slug),
      );
      const seconds = (performance.now() - started) / 1000;
      const arrivals = [...peer.arrivals];
      const invoices = await allInvoices(stripe);
      const distinct = new Set(invoices.map((invoice) => invoice.metadata?.hub_invoice_id));
      const duplicates = invoices.length - distinct.size;
      if (result.invoiced !== TENANTS || distinct.size !== TENANTS) {
        throw new Error(`run invoiced ${String(result.invoiced)}, ${distinct.size} in Stripe; expected ${TENANTS}`);
      }
      // From the first request to the last: the run's Stripe phase (its first and last steps are Postgres only).
      const stripeSeconds = (arrivals.at(-1)! - arrivals[0]!) / 1000;
      const perSecond = arrivals.length / stripeSeconds;
      const { max, seconds: busySeconds, over } = busiestSecond(arrivals, BUDGET);
      return {
        measurements: [
          {
            label: `billing run, STRIPE_MAX_RPS=${BUDGET}, 2 workers`,
            metrics: {
              tenants: TENANTS,
              'run seconds': seconds,
              'Stripe requests': arrivals.length,
              'Stripe req/s': perSecond,
              'busiest second': max,
              'seconds over budget': over,
              'seconds with requests': busySeconds,
              'tenants/s': TENANTS / seconds,
              duplicates,
            },
          },
        ],
        ratios: [
          { name: 'Stripe requests per second / budget', value: perSecond / BUDGET, target: '>= 0.9', met: perSecond / BUDGET >= 0.9 },
          { name: 'busiest second / budget', value: max / BUDGET, target: '<= 1', met: max <= BUDGET },
          { name: 'duplicate Stripe invoices', value: duplicates, target: '0', met: duplicates === 0 },
        ],
        notes: [
          `run result: ${JSON.stringify({ invoiced: result.invoiced, alreadyInvoiced: result.alreadyInvoiced, failed: result.failed })}`,
          'requests counted at the Stripe peer (the proxy in front of localstripe) as they arrive, per wall-clock second; req/s is over the span from the first to the last request',
          `${TENANTS} tenants by default (BENCH_BILLING_BUDGET_TENANTS=2000 for 2,000: about 20,000 requests, 13 minutes at 25/s); BILLING_CONCURRENCY=${CONCURRENCY}`,
        ],
      };
    } finally {
      await secondWorker.stop();
      await hub.stop();
      await owner.destroy();
      await peer.stop();
    }
  },
};
