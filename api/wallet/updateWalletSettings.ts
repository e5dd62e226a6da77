import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { ensureWallet, type WalletAccountRow } from '../../platform/billing/wallet';
import { auditActor } from '../auth/auditActor';
import { defineRoute } from '../http/route';
import { loadWalletView, walletSchema } from './walletView';

export const updateWalletSettings = defineRoute({
  method: 'put',
  path: '/v1/wallet/settings',
  auth: 'tenant',
  summary: 'Set the wallet’s auto-recharge: amount, threshold and maximum recharges per month (opens the wallet if the tenant has none)',
  tags: ['billing'],
  body: z.strictObject({
    autoRecharge: z.strictObject({
      enabled: z.boolean(),
      amountCents: z.number().int().min(500).max(10_000_000).describe('charged to the default payment method at each crossing'),
      thresholdCents: z.number().int().min(0).max(10_000_000).describe('a debit taking the balance from at or above this to below it records one recharge'),
      maxPerMonth: z.number().int().min(0).max(100).describe('recharges per UTC month at most'),
    }),
  }),
  responses: { 200: { description: 'The wallet', schema: z.object({ wallet: walletSchema }) } },
  async handler({ deps, principal, body, req }) {
    const wallet = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const before = await ensureWallet(trx, principal.tenantId, principal.plan);
      const [after] = await trx<WalletAccountRow>('wallet_accounts')
        .where({ tenant_id: principal.tenantId })
        .update({
          auto_recharge: body.autoRecharge.enabled,
          recharge_amount_cents: body.autoRecharge.amountCents,
          recharge_threshold_cents: body.autoRecharge.thresholdCents,
          recharge_max_per_month: body.autoRecharge.maxPerMonth,
          updated_at: trx.fn.now() as never,
        })
        .returning('*');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'wallet.settings_changed',
        target: { type: 'wallet', id: principal.tenantId },
        details: {
          before: {
            enabled: before.auto_recharge,
            amountCents: Number(before.recharge_amount_cents),
            thresholdCents: Number(before.recharge_threshold_cents),
            maxPerMonth: before.recharge_max_per_month,
          },
          after: body.autoRecharge,
        },
      });
      return loadWalletView(trx, principal.tenantId, after);
    });
    return { status: 200, body: { wallet } };
  },
});
