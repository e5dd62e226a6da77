import type Stripe from 'stripe';
import { type Database } from '../db';
import { type Logger } from '../logger';
import { appendWalletEntry, chargeForCredit, NoPaymentMethodError, walletIdempotencyKeys, type WalletRechargeRow } from './wallet';

/** What one pass over a tenant's pending recharges did. */
export interface RechargeOutcome {
  succeeded: number;
  failed: number;
}

/**
 * Charges the tenant's pending auto-recharges, each exactly once: a recharge is claimed with its
 * row locked (`skip locked`: another process charging it is left to it), charged with a Stripe
 * idempotency key of its own id (a retry after a crash gets Stripe's first charge back), and
 * credited with the source `recharge:<id>` (unique in the ledger) in the transaction that marks
 * it done. A charge Stripe declines marks it failed; the next crossing records a new one.
 */
export async function chargePendingRecharges(db: Database, stripe: () => Stripe, tenantId: string, logger?: Logger): Promise<RechargeOutcome> {
  const outcome: RechargeOutcome = { succeeded: 0, failed: 0 };
  for (;;) {
    const done = await db.withTenant(tenantId, async (trx) => {
      const recharge = await trx<WalletRechargeRow>('wallet_recharges')
        .where({ tenant_id: tenantId, status: 'pending' })
        .orderBy('created_at')
        .forUpdate()
        .skipLocked()
        .first();
      if (!recharge) return false;
      const customer = (await trx('billing_customers').where({ tenant_id: tenantId }).first('stripe_customer_id')) as
        { stripe_customer_id: string } | undefined;
      const fail = async (message: string) => {
        await trx('wallet_recharges').where({ id: recharge.id }).update({ status: 'failed', error: message, updated_at: trx.fn.now() });
        outcome.failed += 1;
        logger?.warn({ tenantId, rechargeId: recharge.id, error: message }, 'wallet auto-recharge failed');
      };
      if (!customer) {
        await fail('the tenant has no Stripe customer yet');
        return true;
      }
      let intent: Stripe.PaymentIntent;
      try {
        intent = await chargeForCredit(stripe(), {
          customerId: customer.stripe_customer_id,
          amountCents: Number(recharge.amount_cents),
          idempotencyKey: walletIdempotencyKeys.recharge(tenantId, recharge.id),
          metadata: { hub_tenant_id: tenantId, hub_wallet_recharge_id: recharge.id, hub_purpose: 'prepaid credit (auto-recharge)' },
        });
      } catch (error) {
        const declined = error instanceof NoPaymentMethodError || (error as { type?: string }).type === 'StripeCardError';
        if (!declined) throw error;
        await fail((error as Error).message);
        return true;
      }
      if (intent.status !== 'succeeded') {
        await fail(`the payment is ${intent.status}`);
        return true;
      }
      await appendWalletEntry(trx, tenantId, {
        amountCents: Number(recharge.amount_cents),
        kind: 'auto_recharge',
        source: `recharge:${recharge.id}`,
        details: { rechargeId: recharge.id, stripePaymentIntentId: intent.id, crossingSeq: Number(recharge.crossing_seq) },
      });
      await trx('wallet_recharges').where({ id: recharge.id }).update({ status: 'succeeded', stripe_payment_intent_id: intent.id, updated_at: trx.fn.now() });
      outcome.succeeded += 1;
      return true;
    });
    if (!done) return outcome;
  }
}
