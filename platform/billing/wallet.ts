import type Stripe from 'stripe';
import { type Knex } from 'knex';
import { BILLING_CURRENCY, type PlanId, planOf } from './catalogue';

/** A row of `wallet_ledger` (append-only). */
export interface WalletEntryRow {
  id: string;
  tenant_id: string;
  seq: string | number;
  amount_cents: string | number;
  balance_after_cents: string | number;
  kind: 'top_up' | 'auto_recharge' | 'usage' | 'invoice' | 'adjustment';
  source: string;
  details: Record<string, unknown>;
  created_at: Date;
}

/** A row of `wallet_accounts`: the wallet's settings (the balance lives in the ledger). */
export interface WalletAccountRow {
  tenant_id: string;
  unit_prices: Record<string, number>;
  auto_recharge: boolean;
  recharge_amount_cents: string | number;
  recharge_threshold_cents: string | number;
  recharge_max_per_month: number;
  updated_at?: Date;
}

/** A row of `wallet_recharges`: one auto-recharge, recorded once per threshold crossing. */
export interface WalletRechargeRow {
  id: string;
  tenant_id: string;
  crossing_seq: string | number;
  amount_cents: string | number;
  status: 'pending' | 'succeeded' | 'failed';
  stripe_payment_intent_id: string | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Notified (payload: tenant id) when a debit records an auto-recharge to charge. */
export const WALLET_CHANNEL = 'hub_wallet';

/** What prepaid credit pays as usage happens, by default (cents per unit): a scanned item at the plan's price of an extra one. */
export function defaultUnitPrices(plan: PlanId): Record<string, number> {
  return { scan: planOf(plan).extraScanCents };
}

/** Creates the tenant's wallet if it has none (settings only: it starts with no entries, balance 0). */
export async function ensureWallet(trx: Knex.Transaction, tenantId: string, plan: PlanId): Promise<WalletAccountRow> {
  await trx('wallet_accounts')
    .insert({ tenant_id: tenantId, unit_prices: JSON.stringify(defaultUnitPrices(plan)) })
    .onConflict('tenant_id')
    .ignore();
  return (await trx<WalletAccountRow>('wallet_accounts').where({ tenant_id: tenantId }).first())!;
}

/**
 * Appends one credit (> 0) or debit (< 0) through `wallet_append` (migration 20261204140010):
 * serialised per tenant on the wallet row, idempotent by `source` (the entry already written is
 * answered again), and a debit that crosses the auto-recharge threshold records the recharge.
 */
export async function appendWalletEntry(
  trx: Knex.Transaction,
  tenantId: string,
  entry: { amountCents: number; kind: WalletEntryRow['kind']; source: string; details?: Record<string, unknown> },
): Promise<WalletEntryRow> {
  const result = await trx.raw('select * from wallet_append(?::uuid, ?::bigint, ?, ?, ?::jsonb)', [
    tenantId,
    entry.amountCents,
    entry.kind,
    entry.source,
    JSON.stringify(entry.details ?? {}),
  ]);
  return result.rows[0] as WalletEntryRow;
}

/** The balance: the newest ledger entry's balance after it (0 before the first). */
export async function walletBalance(trx: Knex | Knex.Transaction, tenantId: string): Promise<number> {
  const row = (await trx('wallet_ledger').where({ tenant_id: tenantId }).orderBy('seq', 'desc').first('balance_after_cents')) as
    { balance_after_cents: string } | undefined;
  return Number(row?.balance_after_cents ?? 0);
}

/** The customer's default payment method (invoice settings), if it has one. */
export async function defaultPaymentMethodOf(stripe: Stripe, customerId: string): Promise<string | undefined> {
  const customer = await stripe.customers.retrieve(customerId);
  if ((customer as Stripe.DeletedCustomer).deleted) return undefined;
  const method = (customer as Stripe.Customer).invoice_settings?.default_payment_method;
  return typeof method === 'string' ? method : (method?.id ?? undefined);
}

/**
 * Charges the default payment method off-session (a PaymentIntent confirmed at once, with the
 * caller's idempotency key, so a retried charge is the same charge). Answers the intent; the
 * caller credits the wallet only when it succeeded.
 */
export async function chargeForCredit(
  stripe: Stripe,
  input: { customerId: string; amountCents: number; idempotencyKey: string; metadata: Record<string, string> },
): Promise<Stripe.PaymentIntent> {
  const paymentMethod = await defaultPaymentMethodOf(stripe, input.customerId);
  if (!paymentMethod) throw new NoPaymentMethodError();
  return stripe.paymentIntents.create(
    {
      amount: input.amountCents,
      currency: BILLING_CURRENCY,
      customer: input.customerId,
      payment_method: paymentMethod,
      off_session: true,
      confirm: true,
      metadata: input.metadata,
    },
    { idempotencyKey: input.idempotencyKey },
  );
}

export class NoPaymentMethodError extends Error {
  constructor() {
    super('the tenant has no default payment method');
    this.name = 'NoPaymentMethodError';
  }
}

/** Stripe idempotency keys of wallet charges. */
export const walletIdempotencyKeys = {
  recharge: (tenantId: string, rechargeId: string) => `hub:wallet:${tenantId}:recharge:${rechargeId}`,
  topUp: (tenantId: string, requestKey: string) => `hub:wallet:${tenantId}:top-up:${requestKey}`,
} as const;
