import { type WalletEntryRow } from '../../platform/billing/wallet';
import { defineRoute, RESPONDED } from '../http/route';

const CSV_HEADER = 'seq,created_at,kind,amount_cents,balance_after_cents,source,details\n';

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The whole ledger as CSV, oldest first, written in pages so a long ledger never sits in memory. */
export const exportWalletLedger = defineRoute({
  method: 'get',
  path: '/v1/wallet/ledger/export',
  auth: 'tenant',
  summary: 'The whole wallet ledger as CSV, oldest first (seq, time, kind, amount, balance after, source, details)',
  tags: ['billing'],
  allowWhenSuspended: true,
  responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
  async handler({ deps, principal, res }) {
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="wallet-ledger.csv"');
    res.write(CSV_HEADER);
    let after = 0;
    for (;;) {
      const rows = await deps.db.withTenant(principal.tenantId, (trx) =>
        trx<WalletEntryRow>('wallet_ledger').where({ tenant_id: principal.tenantId }).where('seq', '>', after).orderBy('seq').limit(1_000),
      );
      if (rows.length === 0) break;
      res.write(
        rows
          .map((row) =>
            [
              row.seq,
              row.created_at.toISOString(),
              row.kind,
              row.amount_cents,
              row.balance_after_cents,
              csvField(row.source),
              csvField(JSON.stringify(row.details)),
            ].join(','),
          )
          .join('\n') + '\n',
      );
      after = Number(rows.at(-1)!.seq);
    }
    res.end();
    return RESPONDED;
  },
});
