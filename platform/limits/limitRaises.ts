import { type Knex } from 'knex';
import { type LimitRaise } from './limitPolicy';

/** A row of `limit_raises`. */
export interface LimitRaiseRow {
  id: string;
  tenant_id: string;
  limit_id: string;
  value: string | number;
  starts_at: Date;
  ends_at: Date;
  reason: string | null;
  cancelled_at: Date | null;
  created_at: Date;
}

export function toLimitRaise(row: LimitRaiseRow): LimitRaise {
  return { id: row.id, limitId: row.limit_id, value: Number(row.value), startsAt: row.starts_at, endsAt: row.ends_at };
}

/** The tenant's raises that have not ended (nor been cancelled): what its limits may still use. Inside its transaction (RLS). */
export async function currentLimitRaises(trx: Knex | Knex.Transaction, tenantId: string, now: Date = new Date()): Promise<LimitRaise[]> {
  const rows = await trx<LimitRaiseRow>('limit_raises')
    .where({ tenant_id: tenantId })
    .whereNull('cancelled_at')
    .where('ends_at', '>', now)
    .orderBy('starts_at');
  return rows.map(toLimitRaise);
}
