import { v7 as uuidv7 } from 'uuid';
import { type Database, type TenantTransaction } from '../db';
import { USAGE_KIND_PATTERN, type UsageEvent } from './usageEvent';

// pg's own serialisation of a JS array into a Postgres array literal (knex would expand arrays
// into placeholder lists, which is not what unnest() wants).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): string };

/** A monthly counter after an insert: the tenant's running total of `kind` in `period`. */
export interface UsageTotal {
  period: string;
  kind: string;
  quantity: number;
}

/** A usage event with the id that makes retried inserts idempotent. */
export type StampedUsageEvent = UsageEvent & { id: string; occurredAt: Date };

export function stampUsageEvent(event: UsageEvent): StampedUsageEvent {
  if (!USAGE_KIND_PATTERN.test(event.kind)) throw new Error(`usage kind "${event.kind}" is not lowercase snake_case`);
  if (!Number.isInteger(event.quantity) || event.quantity < 0) throw new Error(`usage quantity must be a non-negative integer, got ${event.quantity}`);
  return { ...event, id: uuidv7(), occurredAt: event.occurredAt ?? new Date() };
}

/**
 * Inserts events of one tenant and adds them to the monthly counters, in one statement inside the
 * caller's tenant transaction (a trigger adds them to the daily rollup `usage_daily`, which
 * reports, the dashboard and billing read). Events whose id or dedupe key already exists are skipped and not
 * counted again. Returns the counters the statement touched, with their new totals.
 */
export async function insertUsageEvents(trx: TenantTransaction, tenantId: string, events: readonly StampedUsageEvent[]): Promise<UsageTotal[]> {
  if (events.length === 0) return [];
  const column = <T>(pick: (event: StampedUsageEvent) => T) => prepareValue(events.map(pick));
  const result = await trx.raw(
    `with incoming as (
       select * from unnest(?::uuid[], ?::text[], ?::bigint[], ?::timestamptz[], ?::uuid[], ?::text[], ?::text[], ?::smallint[], ?::real[], ?::integer[], ?::text[], ?::text[])
         as e(id, kind, quantity, occurred_at, api_key_id, method, route, status, latency_ms, cost_units, dedupe_key, details)
     ), inserted as (
       insert into usage_events (id, tenant_id, kind, quantity, occurred_at, api_key_id, method, route, status, latency_ms, cost_units, dedupe_key, details)
       select id, ?::uuid, kind, quantity, occurred_at, api_key_id, method, route, status, latency_ms, cost_units, dedupe_key, details::jsonb from incoming
       on conflict do nothing
       returning kind, quantity, occurred_at
     ), totals as (
       select date_trunc('month', occurred_at at time zone 'UTC')::date as period, kind, sum(quantity)::bigint as quantity
         from inserted group by 1, 2
     )
     insert into usage_counters as c (tenant_id, period, kind, quantity, updated_at)
     select ?::uuid, period, kind, quantity, now() from totals
     on conflict (tenant_id, period, kind) do update set quantity = c.quantity + excluded.quantity, updated_at = now()
     returning to_char(period, 'YYYY-MM-DD') as period, kind, quantity`,
    [
      column((e) => e.id),
      column((e) => e.kind),
      column((e) => e.quantity),
      column((e) => e.occurredAt.toISOString()),
      column((e) => e.apiKeyId ?? null),
      column((e) => e.method ?? null),
      column((e) => e.route ?? null),
      column((e) => e.status ?? null),
      column((e) => (e.latencyMs === undefined || e.latencyMs === null ? null : Math.round(e.latencyMs * 100) / 100)),
      column((e) => e.costUnits ?? 0),
      column((e) => e.dedupeKey ?? null),
      column((e) => JSON.stringify(e.details ?? {})),
      tenantId,
      tenantId,
    ],
  );
  return (result.rows as Array<{ period: string; kind: string; quantity: string }>).map((row) => ({ period: row.period, kind: row.kind, quantity: Number(row.quantity) }));
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
    db.knex('usage_counters').where({ tenant_id: tenantId, kind }).whereRaw(`period = date_trunc('month', ?::timestamptz at time zone 'UTC')::date`, [at.toISOString()]).select('quantity'),
  );
  return row ? Number(row.quantity) : 0;
}
