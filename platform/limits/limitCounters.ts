import { type Knex } from 'knex';
import { periodWindow, type LimitScope, type PeriodLimitDefinition } from './limitCatalogue';
import { type EffectiveLimit } from './limitPolicy';

/** The counter subject of a scope: the whole tenant, `user:<id>`, `api_key:<id>`. */
export function limitSubject(scope: LimitScope, id?: string): string {
  if (scope === 'tenant') return 'tenant';
  if (!id) throw new Error(`a ${scope} limit needs the ${scope}'s id`);
  return scope === 'user' ? `user:${id}` : `api_key:${id}`;
}

/** A period limit to count against, for one subject. */
export interface CountedLimit {
  limit: EffectiveLimit & { definition: PeriodLimitDefinition };
  subject: string;
}

/** Thrown when one of the counted limits is already used up; nothing was counted. */
export class LimitExceededError extends Error {
  constructor(
    readonly limit: EffectiveLimit & { definition: PeriodLimitDefinition },
    readonly used: number,
    readonly resetsAt: Date,
  ) {
    super(`${limit.definition.id}: ${used} of ${limit.limit} used`);
    this.name = 'LimitExceededError';
  }
}

const CONSUME_SQL = `insert into limit_counters as c (tenant_id, subject, metric, period_key, count, updated_at) values (?, ?, ?, ?, ?, now())
  on conflict (tenant_id, subject, metric, period_key) do update set count = c.count + excluded.count, updated_at = now()
  where c.count + excluded.count <= ?
  returning count`;

/**
 * Counts `quantity` against every limit, all or none, inside the caller's tenant transaction:
 * each counter moves only while it stays within its limit (one atomic upsert per counter, which
 * row-locks it, so concurrent requests on every replica queue and exactly `limit` get through),
 * and the first one that would pass its limit throws {@link LimitExceededError}, which rolls back
 * the transaction and with it the counters already moved.
 */
export async function consumeLimits(trx: Knex.Transaction, tenantId: string, counted: readonly CountedLimit[], now: Date, quantity = 1): Promise<void> {
  for (const { limit, subject } of counted) {
    const window = periodWindow(limit.definition.period, now);
    if (quantity > limit.limit) throw new LimitExceededError(limit, 0, window.endsAt);
    const result = await trx.raw(CONSUME_SQL, [tenantId, subject, limit.definition.metric, window.key, quantity, limit.limit]);
    if (result.rows.length === 0) {
      const row = (await trx('limit_counters')
        .where({ tenant_id: tenantId, subject, metric: limit.definition.metric, period_key: window.key })
        .first('count')) as { count: string } | undefined;
      throw new LimitExceededError(limit, Number(row?.count ?? 0), window.endsAt);
    }
  }
}

/** Counts of the current periods of these subjects (period key → count), for usage reports. */
export async function readLimitCounters(trx: Knex | Knex.Transaction, tenantId: string, subjects: readonly string[], now: Date): Promise<Map<string, number>> {
  const keys = (['day', 'month', 'year'] as const).map((period) => periodWindow(period, now).key);
  const rows = (await trx('limit_counters')
    .where({ tenant_id: tenantId })
    .whereIn('subject', [...subjects])
    .whereIn('period_key', keys)
    .select('subject', 'metric', 'period_key', 'count')) as Array<{ subject: string; metric: string; period_key: string; count: string }>;
  return new Map(rows.map((row) => [`${row.subject}|${row.metric}|${row.period_key}`, Number(row.count)]));
}

/** The key of {@link readLimitCounters}'s map for one limit and subject. */
export function counterKey(subject: string, definition: PeriodLimitDefinition, now: Date): string {
  return `${subject}|${definition.metric}|${periodWindow(definition.period, now).key}`;
}
