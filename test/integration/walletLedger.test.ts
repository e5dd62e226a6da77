import type Stripe from 'stripe';
import { startStripePeer } from '../peers/stripe/stripePeer';
import { billingEnv, stripeOf } from '../support/billing';
import { ownerDb, type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { exitOf, spawnEntry } from '../support/processes';

/**
 * Prepaid credit (platform/billing/wallet.ts, migration 20261204140010): an append-only ledger
 * whose entries sum to the balance, drawn down by usage as it is recorded, with an auto-recharge
 * recorded once per threshold crossing and charged once, whatever number of processes record usage.
 */
describe('wallet: prepaid credit with auto-recharge', () => {
  const peer = useStarted(() => startStripePeer({ port: 0 }));
  const { hub } = useHub({ env: () => billingEnv(peer) });
  let stripe: Stripe;
  let tenant: CreatedTenant;

  /** A Stripe customer with a default card, recorded as the tenant's (what POST /v1/payment-methods sets up). */
  async function withCard(target: CreatedTenant, cardNumber = '4242424242424242'): Promise<string> {
    const customer = await stripe.customers.create({ name: target.slug, metadata: { hub_tenant_id: target.id } });
    const method = await stripe.paymentMethods.create({ type: 'card', card: { number: cardNumber, exp_month: 12, exp_year: 2030, cvc: '123' } } as never);
    await stripe.paymentMethods.attach(method.id, { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: method.id } });
    const owner = ownerDb();
    try {
      await owner('billing_customers').insert({ tenant_id: target.id, stripe_customer_id: customer.id });
    } finally {
      await owner.destroy();
    }
    return customer.id;
  }

  beforeAll(async () => {
    stripe = stripeOf(peer);
    tenant = await hub.createTenant({ plan: 'professional' });
    await withCard(tenant);
  });

  it('10,000 scans recorded by two processes at once: the ledger sums to the balance, and each threshold crossing makes exactly one recharge', async () => {
    const settings = await hub.request('PUT', '/v1/wallet/settings', {
      key: tenant.key,
      body: { autoRecharge: { enabled: true, amountCents: 20_000, thresholdCents: 50_000, maxPerMonth: 5 } },
    });
    expect(settings.status).toBe(200);
    expect(settings.body.wallet.unitPricesCents).toEqual({ scan: 8 });

    const topUp = await hub.request('POST', '/v1/wallet/top-ups', { key: tenant.key, body: { amountCents: 100_000, idempotencyKey: 'first-top-up' } });
    expect({ status: topUp.status, text: topUp.status === 201 ? '' : topUp.text }).toEqual({ status: 201, text: '' });
    expect(topUp.body.entry).toMatchObject({ seq: 1, amountCents: 100_000, balanceAfterCents: 100_000, kind: 'top_up' });
    // The same key again: the same charge, no second credit.
    const again = await hub.request('POST', '/v1/wallet/top-ups', { key: tenant.key, body: { amountCents: 100_000, idempotencyKey: 'first-top-up' } });
    expect(again.body.entry).toMatchObject({ seq: 1 });

    // 10,000 scans at 8 cents (80,000 cents) take 100,000 down through the 50,000 threshold once.
    const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...billingEnv(peer) };
    const processes = ['a', 'b'].map((prefix) => spawnEntry('test/support/walletUsageLoad.ts', env, [tenant.id, '5000', `load-${prefix}`, '8']));
    const exits = await Promise.all(processes.map((child) => exitOf(child)));
    processes.forEach((child, index) =>
      expect({ exit: exits[index]!.code, output: exits[index]!.code === 0 ? '' : child.output() }).toEqual({ exit: 0, output: '' }),
    );
    const charged = processes.map((child) => JSON.parse(child.output().trim().split('\n').at(-1)!) as { charged: { succeeded: number } });

    const owner = ownerDb();
    try {
      const [sums] = (await owner('wallet_ledger')
        .where({ tenant_id: tenant.id })
        .select(owner.raw('sum(amount_cents)::bigint as total'), owner.raw('count(*)::int as entries'), owner.raw('max(seq)::int as last_seq'))) as Array<{
        total: string;
        entries: number;
        last_seq: number;
      }>;
      const newest = await owner('wallet_ledger').where({ tenant_id: tenant.id }).orderBy('seq', 'desc').first('balance_after_cents');
      expect(Number(sums!.total)).toBe(Number(newest.balance_after_cents));
      expect(sums!.last_seq).toBe(sums!.entries); // no gaps, no duplicates
      const usage = await owner('wallet_ledger').where({ tenant_id: tenant.id, kind: 'usage' }).sum({ cents: 'amount_cents' }).count({ n: '*' });
      expect(Number(usage[0]!.cents)).toBe(-80_000);
      expect(Number(usage[0]!.n)).toBe(10_000);
      // Every balance is the one before plus the entry: a running sum, entry by entry.
      const walk = await owner.raw(
        `select count(*) filter (where balance_after_cents <> before + amount_cents)::int as broken,
                count(*) filter (where amount_cents < 0 and before >= 50000 and balance_after_cents < 50000)::int as crossings
           from (select balance_after_cents, amount_cents, lag(balance_after_cents, 1, 0::bigint) over (order by seq) as before
                   from wallet_ledger where tenant_id = ?) s`,
        [tenant.id],
      );
      expect(walk.rows[0].broken).toBe(0);
      // One recharge per crossing (one crossing, unless a process credited a recharge while the other still drew the balance down).
      const crossings = walk.rows[0].crossings as number;
      expect(crossings).toBeGreaterThanOrEqual(1);
      const recharges = await owner('wallet_recharges').where({ tenant_id: tenant.id }).orderBy('crossing_seq');
      expect(recharges).toHaveLength(crossings);
      expect(recharges.every((recharge) => recharge.status === 'succeeded' && recharge.amount_cents === '20000')).toBe(true);
      expect(charged.reduce((sum, result) => sum + result.charged.succeeded, 0)).toBe(crossings);
      expect(await owner('wallet_ledger').where({ tenant_id: tenant.id, kind: 'auto_recharge' }).count({ n: '*' })).toEqual([{ n: String(crossings) }]);
      expect(Number(newest.balance_after_cents)).toBe(100_000 - 80_000 + 20_000 * crossings);
      // Each recharge belongs to the debit that took the balance below 50,000.
      for (const recharge of recharges) {
        const crossing = await owner('wallet_ledger').where({ tenant_id: tenant.id, seq: recharge.crossing_seq }).first();
        expect(Number(crossing.balance_after_cents)).toBeLessThan(50_000);
        expect(Number(crossing.balance_after_cents) - Number(crossing.amount_cents)).toBeGreaterThanOrEqual(50_000);
      }
      // Stripe charged once each: the top-up and the recharges.
      const intents = await stripe.paymentIntents.list({ limit: 100 } as never);
      const ours = intents.data.filter((intent) => intent.metadata?.hub_tenant_id === tenant.id);
      expect(ours.map((intent) => intent.amount).sort((a, b) => a - b)).toEqual([...Array<number>(crossings).fill(20_000), 100_000]);
      // Append-only.
      await expect(owner('wallet_ledger').where({ tenant_id: tenant.id }).update({ amount_cents: 1 })).rejects.toThrow(/append-only/);
    } finally {
      await owner.destroy();
    }

    const wallet = await hub.request('GET', '/v1/wallet', { key: tenant.key });
    const balance = wallet.body.wallet.balanceCents as number;
    expect(wallet.body.wallet.autoRecharge.thisMonth).toBe((balance - 20_000) / 20_000);
    const page = await hub.request('GET', '/v1/wallet/ledger?limit=2', { key: tenant.key });
    expect(page.body.data.map((entry: { kind: string }) => entry.kind)).toContain('usage');
    const exported = await hub.request('GET', '/v1/wallet/ledger/export', { key: tenant.key });
    expect(exported.status).toBe(200);
    const lines = exported.text.trim().split('\n');
    expect(lines[0]).toBe('seq,created_at,kind,amount_cents,balance_after_cents,source,details');
    expect(lines).toHaveLength(1 + 1 + 10_000 + (balance - 20_000) / 20_000);
    expect(lines.slice(1).reduce((sum, line) => sum + Number(line.split(',')[3]), 0)).toBe(balance);
  });
});
