import { z } from 'zod';
import { type WalletEntryRow } from '../../platform/billing/wallet';
import { defineRoute } from '../http/route';
import { toWalletEntryView, walletEntrySchema } from './walletView';

export const listWalletLedger = defineRoute({
  method: 'get',
  path: '/v1/wallet/ledger',
  auth: 'tenant',
  summary: 'The wallet’s ledger, newest first (append-only: every credit and debit with its source and the balance after it)',
  tags: ['billing'],
  allowWhenSuspended: true,
  query: z.strictObject({
    before: z.coerce.number().int().min(1).optional().describe('entries with a smaller seq (the next page: the last seq of this one)'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  }),
  responses: {
    200: {
      description: 'A page of entries',
      schema: z.object({ data: z.array(walletEntrySchema), nextBefore: z.number().int().nullable().describe('pass as before for the next page') }),
    },
  },
  async handler({ deps, principal, query }) {
    const rows = await deps.db.withTenant(principal.tenantId, (trx) =>
      trx<WalletEntryRow>('wallet_ledger')
        .where({ tenant_id: principal.tenantId })
        .modify((builder) => (query.before ? builder.where('seq', '<', query.before) : builder))
        .orderBy('seq', 'desc')
        .limit(query.limit),
    );
    const data = rows.map(toWalletEntryView);
    return { status: 200, body: { data, nextBefore: data.length === query.limit ? data.at(-1)!.seq : null } };
  },
});
