import { busiestSecond, startStripePeer, STRIPE_TEST_KEY } from '../peers/stripe/stripePeer';
import { useStarted } from '../support/harness';
import { exitOf, spawnEntry } from '../support/processes';

const BUDGET = 8;
const REQUESTS_PER_PROCESS = 40;
const RATE_LIMITED = 6;

/**
 * The hub's Stripe rate budget (`STRIPE_MAX_RPS`) holds across processes: two processes, each
 * sending as fast as its own concurrency allows through platform/billing's client, together never
 * reach the Stripe peer more than the budget in any second — counted where Stripe would count,
 * at the peer — and 429s in the middle (with Retry-After) are waited out and sent again, so every
 * call still succeeds.
 */
describe('Stripe request rate budget', () => {
  const peer = useStarted(() => startStripePeer({ port: 0 }));

  const budgetUser = () =>
    spawnEntry('test/support/stripeBudgetUser.ts', {
      ...process.env,
      NODE_ENV: 'test',
      STRIPE_API_BASE: peer.url,
      STRIPE_SECRET_KEY: STRIPE_TEST_KEY,
      STRIPE_MAX_RPS: String(BUDGET),
      BUDGET_USER_REQUESTS: String(REQUESTS_PER_PROCESS),
      BUDGET_USER_CONCURRENCY: '10',
    });

  it('two processes together never exceed the budget, and 429s are waited out and resent', async () => {
    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, match: /^GET \/v1\/customers$/, times: RATE_LIMITED, after: 20 });
    const users = [budgetUser(), budgetUser()];
    const exits = await Promise.all(users.map((user) => exitOf(user)));
    for (const [index, user] of users.entries()) expect({ exit: exits[index]!.code, output: user.output() }).toMatchObject({ exit: 0 });

    const results = users.map((user) => JSON.parse(user.output().trim().split('\n').at(-1)!) as { succeeded: number; failed: number });
    expect(results).toEqual([
      { succeeded: REQUESTS_PER_PROCESS, failed: 0, errors: [] },
      { succeeded: REQUESTS_PER_PROCESS, failed: 0, errors: [] },
    ]);
    expect(peer.faults.applied).toMatchObject({ status: RATE_LIMITED });
    // Every call once, plus one resend per 429.
    expect(peer.arrivals).toHaveLength(2 * REQUESTS_PER_PROCESS + RATE_LIMITED);
    const { max, seconds } = busiestSecond(peer.arrivals);
    expect(max).toBeLessThanOrEqual(BUDGET);
    expect(seconds).toBeGreaterThanOrEqual(Math.ceil((2 * REQUESTS_PER_PROCESS + RATE_LIMITED) / BUDGET));
  });
});
