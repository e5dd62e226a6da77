import { type StripeBudgetConfig } from '../../platform/billing/stripeRateBudget';
import { type Knex } from 'knex';
import type Stripe from 'stripe';
import { z } from 'zod';
import { type HubConfig } from '../../platform/config';
import { createBillingStripe } from '../../platform/billing/stripeClient';
import { walletBalance, type WalletAccountRow, type WalletEntryRow, type WalletRechargeRow } from '../../platform/billing/wallet';

export const walletEntrySchema = z.object({
  seq: z.number().int().describe('1, 2, … per tenant: the order of the ledger'),
  amountCents: z.number().int().describe('credit > 0, debit < 0'),
  balanceAfterCents: z.number().int(),
  kind: z.enum(['top_up', 'auto_recharge', 'usage', 'invoice', 'adjustment']),
  source: z.string().describe('what made the entry (unique per tenant): top_up:<payment intent>, recharge:<id>, usage:<first event id>, …'),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});

export const walletSchema = z.object({
  balanceCents: z.number().int().describe('the newest ledger entry’s balance (the entries sum to it)'),
  currency: z.string(),
  unitPricesCents: z.record(z.string(), z.number().int()).describe('cents per unit of each usage kind prepaid credit pays as it happens'),
  autoRecharge: z.object({
    enabled: z.boolean(),
    amountCents: z.number().int(),
    thresholdCents: z.number().int(),
    maxPerMonth: z.number().int(),
    thisMonth: z.number().int().describe('recharges recorded this month (UTC)'),
  }),
  recharges: z.array(
    z.object({
      id: z.uuid(),
      amountCents: z.number().int(),
      status: z.enum(['pending', 'succeeded', 'failed']),
      error: z.string().nullable(),
      createdAt: z.iso.datetime(),
    }),
  ),
});

export function toWalletEntryView(row: WalletEntryRow): z.infer<typeof walletEntrySchema> {
  return {
    seq: Number(row.seq),
    amountCents: Number(row.amount_cents),
    balanceAfterCents: Number(row.balance_after_cents),
    kind: row.kind,
    source: row.source,
    details: row.details,
    createdAt: row.created_at.toISOString(),
  };
}

/** The wallet as the API shows it (an empty one when the tenant has none yet). */
export async function loadWalletView(trx: Knex.Transaction, tenantId: string, account: WalletAccountRow | undefined): Promise<z.infer<typeof walletSchema>> {
  const recharges = await trx<WalletRechargeRow>('wallet_recharges').where({ tenant_id: tenantId }).orderBy('created_at', 'desc').limit(10);
  const [month] = (await trx('wallet_recharges')
    .where({ tenant_id: tenantId })
    .whereRaw(`created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'`)
    .count({ n: '*' })) as Array<{ n: string }>;
  return {
    balanceCents: await walletBalance(trx, tenantId),
    currency: 'usd',
    unitPricesCents: account?.unit_prices ?? {},
    autoRecharge: {
      enabled: account?.auto_recharge ?? false,
      amountCents: Number(account?.recharge_amount_cents ?? 0),
      thresholdCents: Number(account?.recharge_threshold_cents ?? 0),
      maxPerMonth: account?.recharge_max_per_month ?? 0,
      thisMonth: Number(month?.n ?? 0),
    },
    recharges: recharges.map((row) => ({
      id: row.id,
      amountCents: Number(row.amount_cents),
      status: row.status,
      error: row.error,
      createdAt: row.created_at.toISOString(),
    })),
  };
}

const clients = new WeakMap<object, Stripe>();

/** The hub's billing Stripe client for API routes (one per configuration, created on first use). */
export function apiStripe(config: Pick<HubConfig, 'STRIPE_API_BASE' | 'STRIPE_SECRET_KEY'> & StripeBudgetConfig): Stripe {
  let client = clients.get(config);
  if (!client) {
    client = createBillingStripe(config);
    clients.set(config, client);
  }
  return client;
}
