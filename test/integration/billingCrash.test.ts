import type Stripe from 'stripe';
import { periodOf } from '../../platform/billing/periods';
import { busiestSecond, startStripePeer } from '../peers/stripe/stripePeer';
import { billingEnv, billingRunFinished, recordUsageEvents, startBillingRun, stripeCustomersOf, stripeInvoicesOf, stripeOf } from '../support/billing';
import { ownerDb, type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

const TENANTS = 8;
const RATE_LIMITED_WITH_RETRY_AFTER = 20;
const RATE_LIMITED_WITHOUT = 5;

/**
 * Exactly-once invoicing when the worker dies: the worker runs as a child process (`npm run
 * worker`'s entry point) and is killed with SIGKILL in the middle of a billing run, while Stripe
 * calls are in flight (the peer delays them) and Stripe answers a storm of 429s; a new worker
 * finishes the run. Every tenant ends with one Stripe customer, one Stripe invoice and no
 * duplicated line.
 */
describe('billing when the worker crashes', () => {
  const period = periodOf(new Date());
  const peer = useStarted(() => startStripePeer({ port: 0 }));
  const { hub } = useHub({ env: () => billingEnv(peer, { BILLING_CONCURRENCY: '3' }), worker: false });
  let stripe: Stripe;
  let worker: WorkerProcess;
  let tenants: CreatedTenant[];

  const startWorker = () => startWorkerProcess(hub, billingEnv(peer));

  beforeAll(async () => {
    worker = await startWorker();
    tenants = await Promise.all(Array.from({ length: TENANTS }, () => hub.createTenant({ plan: 'starter' })));
    // 100 scans over the 1,000 included: a second line on every invoice.
    for (const tenant of tenants) await recordUsageEvents(hub, tenant.id, [{ kind: 'scan', quantity: 1_100 }]);
    stripe = stripeOf(peer);
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('killing the worker in the middle of a run and restarting it yields exactly one invoice per tenant', async () => {
    // Two 500s make activities retry; two answers are lost after Stripe created the customer or
    // invoice (the retry's idempotency key gets the first result back); slow Stripe writes keep
    // calls in flight when the worker dies.
    peer.faults.add({ fault: { kind: 'status', status: 500 }, match: /^POST \/v1\/invoiceitems$/, times: 2, after: 3 });
    peer.faults.add({ fault: { kind: 'lostResponse' }, match: /^POST \/v1\/customers$/, times: 1, after: 1 });
    peer.faults.add({ fault: { kind: 'lostResponse' }, match: /^POST \/v1\/invoices$/, times: 1 });
    // A 429 storm: 20 requests in a row answered "rate limited" with Retry-After, then 5 without
    // (exponential backoff); the client waits them out on the shared budget and resends.
    peer.faults.add({
      fault: { kind: 'status', status: 429, retryAfterSeconds: 1 },
      match: /^(GET|POST) \/v1\//,
      times: RATE_LIMITED_WITH_RETRY_AFTER,
      after: 12,
    });
    peer.faults.add({ fault: { kind: 'status', status: 429 }, match: /^(GET|POST) \/v1\//, times: RATE_LIMITED_WITHOUT, after: 40 });
    peer.faults.add({ fault: { kind: 'latency', delayMs: 300 }, match: /^POST \/v1\//, times: Infinity });
    const job = await startBillingRun(
      hub,
      period,
      tenants.map((tenant) => tenant.slug),
    );

    const owner = ownerDb();
    try {
      const issued = async () =>
        Number(
          (
            (await owner('invoices')
              .whereIn(
                'tenant_id',
                tenants.map((tenant) => tenant.id),
              )
              .where({ status: 'open' })
              .count({ count: '*' })
              .first()) as { count: string }
          ).count,
        );
      await eventually(async () => ((await issued()) >= 2 ? true : undefined), 60_000, 'the first invoices');
      await worker.kill();
      const atCrash = await issued();
      expect(atCrash).toBeLessThan(TENANTS);

      worker = await startWorker();
      const finished = await billingRunFinished(hub, job.id, 150_000);
      expect(finished).toMatchObject({ status: 'completed', result: { total: TENANTS, done: TENANTS, invoiced: TENANTS, failed: 0 } });
      expect(await issued()).toBe(TENANTS);
      expect(peer.faults.applied).toMatchObject({ status: 2 + RATE_LIMITED_WITH_RETRY_AFTER + RATE_LIMITED_WITHOUT, lostResponse: 2 });
      // Both workers (the killed one and its replacement) stayed within the default STRIPE_MAX_RPS of 25.
      expect(busiestSecond(peer.arrivals).max).toBeLessThanOrEqual(25);
    } finally {
      await owner.destroy();
    }

    for (const tenant of tenants) {
      expect(await stripeCustomersOf(stripe, tenant.id)).toHaveLength(1);
      const invoices = await stripeInvoicesOf(stripe, tenant.id);
      expect(invoices).toHaveLength(1);
      expect(invoices[0]!.total).toBe(29_900 + 100 * 10);
      const lines = await stripe.invoices.listLineItems(invoices[0]!.id, { limit: 100 });
      expect(lines.data.map((line) => line.metadata.hub_line).sort()).toEqual(['plan', 'scans']);
    }
  });

  it("a run whose every tenant fails ends failed, and the worker's log says why (no error written as {})", async () => {
    peer.faults.clear();
    const failing = await Promise.all([hub.createTenant({ plan: 'starter' }), hub.createTenant({ plan: 'starter' })]);
    const reason = 'Invalid email address: billing-contact';
    peer.faults.add({
      fault: { kind: 'status', status: 400, body: { error: { type: 'invalid_request_error', code: 'email_invalid', message: reason } } },
      match: /^POST \/v1\/customers$/,
      times: 2,
    });
    const job = await startBillingRun(
      hub,
      period,
      failing.map((tenant) => tenant.slug),
    );
    const finished = await billingRunFinished(hub, job.id);
    expect(finished).toMatchObject({ status: 'failed', error: { code: 'ITEMS_FAILED', message: expect.stringMatching(/^2 of 2 tenants failed: /) } });

    const lines = await eventually(
      async () => {
        const parsed = worker.child
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { msg?: string; temporal?: Record<string, unknown> });
        return parsed.some((line) => line.msg === 'billing run finished with failed tenants') ? parsed : undefined;
      },
      10_000,
      "the run's outcome in the worker log",
    );
    const outcome = lines.find((line) => line.msg === 'billing run finished with failed tenants')!;
    expect(outcome.temporal).toMatchObject({ billingRunId: job.id, status: 'failed', reason: expect.stringContaining(reason) });
    // The SDK's own report of the failed activity carries the Stripe error's message, not {}.
    const activityFailed = lines.find((line) => line.msg === 'Activity failed' && JSON.stringify(line).includes(reason));
    expect(activityFailed).toBeDefined();
    expect(worker.child.output()).not.toContain('"error":{}');
  });
});
