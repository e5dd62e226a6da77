import { type Database } from '../../platform/db';
import { splitRange } from './rollupRanges';

export type UsageGrouping = 'day' | 'endpoint' | 'kind';

/** One group of usage: what GET /v1/usage and the dashboard report. */
export interface UsageGroup {
  key: string;
  kind: string;
  events: number;
  quantity: number;
  costUnits: number;
  errors: number;
  avgLatencyMs: number | null;
}

const ROLLUP_KEY: Record<UsageGrouping, string> = {
  day: `to_char(day, 'YYYY-MM-DD')`,
  endpoint: `coalesce(nullif(endpoint, ''), kind)`,
  kind: `kind`,
};
const RAW_KEY: Record<UsageGrouping, string> = {
  day: `to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD')`,
  endpoint: `coalesce(method || ' ' || route, kind)`,
  kind: `kind`,
};

/**
 * Usage of one tenant over [from, to), grouped by day, endpoint or kind: whole days from the
 * `usage_daily` rollup, partial days from `usage_events` (see {@link splitRange}), in one query.
 * Exact, and a month of millions of events costs a few dozen rollup rows.
 */
export async function usageGroups(
  db: Database,
  tenantId: string,
  range: { from: Date; to: Date; now: Date },
  groupBy: UsageGrouping,
  kind?: string,
): Promise<UsageGroup[]> {
  const split = splitRange(range.from, range.to, range.now);
  const parts: string[] = [];
  const bindings: unknown[] = [];
  if (split.days) {
    parts.push(
      `select ${ROLLUP_KEY[groupBy]} as key, kind, events, quantity, cost_units, errors, latency_ms_sum as latency_sum, latency_count
         from usage_daily where tenant_id = ? and day >= ?::date and day < ?::date${kind ? ' and kind = ?' : ''}`,
    );
    bindings.push(tenantId, split.days.fromDay, split.days.toDay, ...(kind ? [kind] : []));
  }
  for (const piece of split.raw) {
    parts.push(
      `select ${RAW_KEY[groupBy]} as key, kind, 1 as events, quantity, cost_units, (status >= 400)::int as errors,
              coalesce(latency_ms::float8, 0) as latency_sum, (latency_ms is not null)::int as latency_count
         from usage_events where tenant_id = ? and occurred_at >= ? and occurred_at < ?${kind ? ' and kind = ?' : ''}`,
    );
    bindings.push(tenantId, piece.from.toISOString(), piece.to.toISOString(), ...(kind ? [kind] : []));
  }
  if (parts.length === 0) return [];
  const rows = await db.readAsTenant<{
    key: string;
    kind: string;
    events: string;
    quantity: string;
    cost_units: string;
    errors: string;
    latency_sum: number;
    latency_count: string;
  }>(
    tenantId,
    db.knex.raw(
      `select key, kind, sum(events) as events, sum(quantity) as quantity, sum(cost_units) as cost_units, sum(errors) as errors,
              sum(latency_sum)::float8 as latency_sum, sum(latency_count) as latency_count
         from (${parts.join(' union all ')}) u group by 1, 2 order by 1, 2`,
      bindings as never[],
    ),
  );
  return rows.map((row) => ({
    key: row.key,
    kind: row.kind,
    events: Number(row.events),
    quantity: Number(row.quantity),
    costUnits: Number(row.cost_units),
    errors: Number(row.errors),
    avgLatencyMs: Number(row.latency_count) > 0 ? Math.round((Number(row.latency_sum) / Number(row.latency_count)) * 100) / 100 : null,
  }));
}

/** Jobs that ended in [from, to), by kind and outcome: `job_daily` for whole days, `jobs` for the edges. */
export async function jobOutcomes(
  db: Database,
  tenantId: string,
  range: { from: Date; to: Date; now: Date },
): Promise<Array<{ kind: string; outcome: string; count: number }>> {
  const split = splitRange(range.from, range.to, range.now);
  const parts: string[] = [];
  const bindings: unknown[] = [];
  if (split.days) {
    parts.push(`select kind, outcome, count from job_daily where tenant_id = ? and day >= ?::date and day < ?::date`);
    bindings.push(tenantId, split.days.fromDay, split.days.toDay);
  }
  for (const piece of split.raw) {
    parts.push(
      `select kind, status as outcome, 1 as count from jobs where tenant_id = ? and finished_at >= ? and finished_at < ? and status in ('completed', 'completed_with_errors', 'failed', 'cancelled')`,
    );
    bindings.push(tenantId, piece.from.toISOString(), piece.to.toISOString());
  }
  if (parts.length === 0) return [];
  const rows = await db.readAsTenant<{ kind: string; outcome: string; count: string }>(
    tenantId,
    db.knex.raw(`select kind, outcome, sum(count) as count from (${parts.join(' union all ')}) j group by 1, 2 order by 1, 2`, bindings as never[]),
  );
  return rows.map((row) => ({ kind: row.kind, outcome: row.outcome, count: Number(row.count) }));
}
