import { v7 as uuidv7 } from 'uuid';
import { type Database, type SqlStatement, type TenantTransaction } from '../db';
import { USAGE_KIND_PATTERN, type UsageEvent } from './usageEvent';

/** A monthly counter after an insert: the tenant's running total of `kind` in `period`. */
export interface UsageTotal {
  period: string;
  kind: string;
  quantity: number;
}

/**
 * A usage event ready to insert: what metering needs in memory (tenant, kind, quantity, time) and
 * its row already encoded for the insert, with the id that makes retried inserts idempotent.
 * Encoding at record time spreads the cost over requests: a flush only joins strings, and the
 * buffer holds one string per event instead of an object graph (less for GC to copy).
 */
export interface StampedUsageEvent {
  tenantId: string;
  kind: string;
  quantity: number;
  occurredAt: Date;
  /** The JSON array {@link INSERT_USAGE_SQL} reads, positionally. */
  row: string;
}

export function stampUsageEvent(event: UsageEvent): StampedUsageEvent {
  if (!USAGE_KIND_PATTERN.test(event.kind)) throw new Error(`usage kind "${event.kind}" is not lowercase snake_case`);
  if (!Number.isInteger(event.quantity) || event.quantity < 0) throw new Error(`usage quantity must be a non-negative integer, got ${event.quantity}`);
  const occurredAt = event.occurredAt ?? new Date();
  const latencyMs = event.latencyMs === undefined || event.latencyMs === null ? null : Math.round(event.latencyMs * 100) / 100;
  const row = JSON.stringify([
    uuidv7(),
    event.kind,
    event.quantity,
    occurredAt.toISOString(),
    event.apiKeyId ?? null,
    event.method ?? null,
    event.route ?? null,
    event.status ?? null,
    latencyMs,
    event.costUnits ?? 0,
    event.dedupeKey ?? null,
    event.details ?? {},
  ]);
  return { tenantId: event.tenantId, kind: event.kind, quantity: event.quantity, occurredAt, row };
}

/**
 * The insert of {@link insertUsageEvents}, with `?` placeholders: the events as one JSON array of
 * the rows {@link stampUsageEvent} encoded, then the tenant id twice.
 */
const INSERT_USAGE_SQL = `with incoming as (
     select (e->>0)::uuid as id, e->>1 as kind, (e->>2)::bigint as quantity, (e->>3)::timestamptz as occurred_at,
            (e->>4)::uuid as api_key_id, e->>5 as method, e->>6 as route, (e->>7)::smallint as status,
            (e->>8)::real as latency_ms, (e->>9)::integer as cost_units, e->>10 as dedupe_key, e->11 as details
       from jsonb_array_elements(?::jsonb) as e
   ), inserted as (
     insert into usage_events (id, tenant_id, kind, quantity, occurred_at, api_key_id, method, route, status, latency_ms, cost_units, dedupe_key, details)
     select id, ?::uuid, kind, quantity, occurred_at, api_key_id, method, route, status, latency_ms, cost_units, dedupe_key, details from incoming
     on conflict do nothing
     returning kind, quantity, occurred_at
   ), totals as (
     select date_trunc('month', occurred_at at time zone 'UTC')::date as period, kind, sum(quantity)::bigint as quantity
       from inserted group by 1, 2
   )
   insert into usage_counters as c (tenant_id, period, kind, quantity, updated_at)
   select ?::uuid, period, kind, quantity, now() from totals
   on conflict (tenant_id, period, kind) do update set quantity = c.quantity + excluded.quantity, updated_at = now()
   returning to_char(period, 'YYYY-MM-DD') as period, kind, quantity`;

/** The same statement numbered for the extended protocol (`$1…$3`). */
let placeholders = 0;
const INSERT_USAGE_NUMBERED_SQL = INSERT_USAGE_SQL.replace(/\?/g, () => `$${(placeholders += 1)}`);

function usageBindings(tenantId: string, events: readonly StampedUsageEvent[]): [string, string, string] {
  return [`[${events.map((event) => event.row).join(',')}]`, tenantId, tenantId];
}

/** Counter rows the insert returns, typed. */
export function usageTotalsOf(rows: readonly unknown[]): UsageTotal[] {
  return (rows as Array<{ period: string; kind: string; quantity: string }>).map((row) => ({
    period: row.period,
    kind: row.kind,
    quantity: Number(row.quantity),
  }));
}

/**
 * Inserts events of one tenant and adds them to the monthly counters, in one statement inside the
 * caller's tenant transaction (a trigger adds them to the daily rollup `usage_daily`, which
 * reports, the dashboard and billing read). Events whose id or dedupe key already exists are skipped and not
 * counted again. Returns the counters the statement touched, with their new totals.
 */
export async function insertUsageEvents(trx: TenantTransaction, tenantId: string, events: readonly StampedUsageEvent[]): Promise<UsageTotal[]> {
  if (events.length === 0) return [];
  const result = await trx.raw(INSERT_USAGE_SQL, usageBindings(tenantId, events));
  return usageTotalsOf(result.rows as unknown[]);
}

/**
 * The same insert as a standalone statement for {@link Database.writeAsTenants}: the API's usage
 * flush writes every tenant's events in one transaction and one round trip.
 */
export function usageInsertStatement(tenantId: string, events: readonly StampedUsageEvent[]): SqlStatement {
  return { sql: INSERT_USAGE_NUMBERED_SQL, values: usageBindings(tenantId, events) };
}

/**
 * Records one usage event now, in its own tenant transaction: for activities (pass a `dedupeKey`
 * derived from the workflow id and step so retries count once). The API uses the buffered
 * {@link UsageRecorder} instead.
 */
export async function recordUsage(db: Database, event: UsageEvent): Promise<UsageTotal[]> {
  const stamped = stampUsageEvent(event);
  return db.withTenant(event.tenantId, (trx) => insertUsageEvents(trx, event.tenantId, [stamped]));
}

/** The tenant's running total of `kind` in the month of `at` (0 when nothing was recorded). */
export async function monthlyUsage(db: Database, tenantId: string, kind: string, at: Date = new Date()): Promise<number> {
  const [row] = await db.readAsTenant<{ quantity: string }>(
    tenantId,
    db
      .knex('usage_counters')
      .where({ tenant_id: tenantId, kind })
      .whereRaw(`period = date_trunc('month', ?::timestamptz at time zone 'UTC')::date`, [at.toISOString()])
      .select('quantity'),
  );
  return row ? Number(row.quantity) : 0;
}
