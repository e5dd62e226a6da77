import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { appendWalletEntry, chargeForCredit, ensureWallet, NoPaymentMethodError, walletIdempotencyKeys } from '../../platform/billing/wallet';
import { chargePendingRecharges } from '../../platform/billing/walletRecharges';
import { BillingNotConfiguredError } from '../../platform/billing/stripeClient';
import { auditActor } from '../auth/auditActor';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';
import { apiStripe, toWalletEntryView, walletEntrySchema } from './walletView';

/**
 * Adds prepaid credit: the amount is charged to the tenant's default payment method in Stripe
 * (off-session; the hub never sees card details), and credited only once Stripe says the payment
 * succeeded. `idempotencyKey` makes a retried request the same charge and the same entry.
 */
export const createWalletTopUp = defineRoute({
  method: 'post',
  path: '/v1/wallet/top-ups',
  auth: 'tenant',
  summary: 'Top up prepaid credit: charge the default payment method and credit the wallet (idempotent by idempotencyKey)',
  tags: ['billing'],
  allowWhenSuspended: true,
  body: z.strictObject({
    amountCents: z.number().int().min(500).max(10_000_000),
    idempotencyKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/)
      .optional()
      .describe('send the same key again to retry without charging twice'),
  }),
  responses: {
    201: { description: 'The credit entry', schema: z.object({ entry: walletEntrySchema }) },
    402: { description: 'Stripe declined the payment (PAYMENT_DECLINED)' },
    409: { description: 'No default payment method (NO_PAYMENT_METHOD)' },
    503: { description: 'Billing is not configured (BILLING_NOT_CONFIGURED)' },
  },
  async handler({ deps, principal, body, req }) {
    const requestKey = body.idempotencyKey ?? randomUUID();
    const customer = await deps.db.withTenant(principal.tenantId, async (trx) => {
      await ensureWallet(trx, principal.tenantId, principal.plan);
      return (await trx('billing_customers').where({ tenant_id: principal.tenantId }).first('stripe_customer_id')) as
        { stripe_customer_id: string } | undefined;
    });
    if (!customer) throw errors.conflict('NO_PAYMENT_METHOD', 'Add a payment method first (POST /v1/payment-methods)');
    let intent: Stripe.PaymentIntent;
    try {
      intent = await chargeForCredit(apiStripe(deps.config), {
        customerId: customer.stripe_customer_id,
        amountCents: body.amountCents,
        idempotencyKey: walletIdempotencyKeys.topUp(principal.tenantId, requestKey),
        metadata: { hub_tenant_id: principal.tenantId, hub_wallet_top_up: requestKey, hub_purpose: 'prepaid credit (top-up)' },
      });
    } catch (error) {
      if (error instanceof NoPaymentMethodError) throw errors.conflict('NO_PAYMENT_METHOD', 'Set a default payment method first');
      if (error instanceof BillingNotConfiguredError) throw new ApiError(503, 'BILLING_NOT_CONFIGURED', error.message);
      if (error instanceof Stripe.errors.StripeCardError) throw new ApiError(402, 'PAYMENT_DECLINED', `The payment was declined: ${error.message}`);
      throw error;
    }
    if (intent.status !== 'succeeded') throw new ApiError(402, 'PAYMENT_DECLINED', `The payment is ${intent.status}, not succeeded`);
    const entry = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const appended = await appendWalletEntry(trx, principal.tenantId, {
        amountCents: body.amountCents,
        kind: 'top_up',
        source: `top_up:${intent.id}`,
        details: { stripePaymentIntentId: intent.id },
      });
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'wallet.topped_up',
        target: { type: 'wallet', id: principal.tenantId },
        details: { amountCents: body.amountCents, stripePaymentIntentId: intent.id },
        eventKey: `wallet:${principal.tenantId}:top_up:${intent.id}`,
      });
      return appended;
    });
    // A recharge a crossing recorded and no worker charged yet goes now too.
    await chargePendingRecharges(deps.db, () => apiStripe(deps.config), principal.tenantId, deps.logger).catch(() => undefined);
    return { status: 201, body: { entry: toWalletEntryView(entry) } };
  },
});
