import { z } from 'zod';
import { type WalletAccountRow } from '../../platform/billing/wallet';
import { defineRoute } from '../http/route';
import { loadWalletView, walletSchema } from './walletView';

export const getWallet = defineRoute({
  method: 'get',
  path: '/v1/wallet',
  auth: 'tenant',
  summary: 'Prepaid credit: the balance (from the ledger), unit prices, auto-recharge settings and the latest recharges',
  tags: ['billing'],
  allowWhenSuspended: true,
  responses: { 200: { description: 'The wallet', schema: z.object({ wallet: walletSchema }) } },
  async handler({ deps, principal }) {
    const wallet = await deps.db.withTenant(principal.tenantId, async (trx) =>
      loadWalletView(trx, principal.tenantId, await trx<WalletAccountRow>('wallet_accounts').where({ tenant_id: principal.tenantId }).first()),
    );
    return { status: 200, body: { wallet } };
  },
});
