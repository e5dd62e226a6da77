import { type Knex } from 'knex';
import { USAGE_KINDS } from '../metering/usageEvent';
import { type PeriodUsage } from './invoiceLines';
import { billingPeriod } from './periods';

/**
 * A tenant's usage in a period from the daily rollups (`usage_daily`, `seats_daily`), in one
 * statement. Run it inside the tenant's transaction (RLS). Peak seats are the highest daily peak
 * in the period, or the count carried in from before it when nothing changed during it; a tenant
 * without any seat history falls back to its current billable users.
 */
export async function readPeriodUsage(trx: Knex.Transaction, tenantId: string, period: string): Promise<PeriodUsage> {
  const { firstDay, endDay } = billingPeriod(period);
  const result = await trx.raw(
    `select
       coalesce((select sum(quantity) from usage_daily where tenant_id = :tenantId and kind = :apiCall and day >= :firstDay and day < :endDay), 0)::bigint as api_calls,
       coalesce((select sum(quantity) from usage_daily where tenant_id = :tenantId and kind = :scan and day >= :firstDay and day < :endDay), 0)::bigint as scans,
       coalesce((select sum(quantity) from usage_daily where tenant_id = :tenantId and kind = :syncRecords and day >= :firstDay and day < :endDay), 0)::bigint as synced_records,
       coalesce(
         greatest(
           (select max(peak_seats) from seats_daily where tenant_id = :tenantId and day >= :firstDay and day < :endDay),
           (select closing_seats from seats_daily where tenant_id = :tenantId and day < :firstDay order by day desc limit 1)),
         (select count(*) from users where tenant_id = :tenantId and status in ('invited', 'active')))::int as peak_seats`,
    { tenantId, firstDay, endDay, apiCall: USAGE_KINDS.apiCall, scan: USAGE_KINDS.scan, syncRecords: USAGE_KINDS.syncRecords },
  );
  const row = result.rows[0] as { api_calls: string; scans: string; synced_records: string; peak_seats: number };
  const usage: PeriodUsage = {
    apiCalls: Number(row.api_calls),
    scans: Number(row.scans),
    syncedRecords: Number(row.synced_records),
    peakSeats: Number(row.peak_seats),
  };
  const walletScans = await readWalletScans(trx, tenantId, firstDay, endDay);
  return walletScans ? { ...usage, walletScans } : usage;
}

/** The wallet's scan price and what its usage debits drew in the period, when the wallet pays scans. */
async function readWalletScans(trx: Knex.Transaction, tenantId: string, firstDay: string, endDay: string): Promise<PeriodUsage['walletScans']> {
  const wallet = (await trx('wallet_accounts').where({ tenant_id: tenantId }).first('unit_prices')) as { unit_prices: Record<string, number> } | undefined;
  const unitCents = wallet?.unit_prices[USAGE_KINDS.scan];
  if (!unitCents || unitCents <= 0) return undefined;
  const drawn = (await trx('wallet_ledger')
    .where({ tenant_id: tenantId, kind: 'usage' })
    .where('created_at', '>=', firstDay)
    .where('created_at', '<', endDay)
    .first(trx.raw('coalesce(-sum(amount_cents), 0)::bigint as drawn'))) as { drawn: string };
  return { unitCents, drawnCents: Number(drawn.drawn) };
}
