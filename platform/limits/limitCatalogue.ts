/**
 * Limits beyond the plan's own: per-period counts of API calls, jobs and syncs (UTC day, month,
 * year) for the whole tenant and for each user, and per-user and per-API-key request rates. Each
 * limit has an id (what settings and scheduled raises name) and its own 429 code.
 */

export const LIMIT_PERIODS = ['day', 'month', 'year'] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

export const LIMIT_METRICS = ['apiCalls', 'jobs', 'syncs'] as const;
export type LimitMetric = (typeof LIMIT_METRICS)[number];

/** Who a limit counts: the whole tenant, one console user, one API key. */
export type LimitScope = 'tenant' | 'user' | 'apiKey';

/** A counted limit: so many `metric` per `period` for each subject of `scope`. */
export interface PeriodLimitDefinition {
  id: string;
  kind: 'period';
  scope: LimitScope;
  metric: LimitMetric;
  period: LimitPeriod;
  code: string;
}

/** A rate: requests per second for each subject of `scope` (the tenant's rate is the plan's). */
export interface RateLimitDefinition {
  id: string;
  kind: 'rate';
  scope: LimitScope;
  code: string;
}

export type LimitDefinition = PeriodLimitDefinition | RateLimitDefinition;

const PERIOD_WORDS: Record<LimitPeriod, string> = { day: 'DAILY', month: 'MONTHLY', year: 'YEARLY' };
const METRIC_WORDS: Record<LimitMetric, string> = { apiCalls: 'API_CALLS', jobs: 'JOBS', syncs: 'SYNCS' };
const SCOPE_WORDS: Record<LimitScope, string> = { tenant: 'TENANT', user: 'USER', apiKey: 'API_KEY' };

function periodLimits(scope: LimitScope, metrics: readonly LimitMetric[], periods: readonly LimitPeriod[]): PeriodLimitDefinition[] {
  return metrics.flatMap((metric) =>
    periods.map((period) => ({
      id: `${scope}.${metric}.${period}`,
      kind: 'period' as const,
      scope,
      metric,
      period,
      code: `${SCOPE_WORDS[scope]}_${METRIC_WORDS[metric]}_${PERIOD_WORDS[period]}_LIMIT`,
    })),
  );
}

/**
 * Every limit the hub enforces besides the plan's. `tenant.requestsPerSecond` and
 * `tenant.apiCallsPerMonth` are the plan's own (RATE_LIMITED, QUOTA_EXCEEDED): listed so a
 * scheduled raise can lift them for a while.
 */
export const LIMIT_DEFINITIONS: readonly LimitDefinition[] = [
  { id: 'tenant.requestsPerSecond', kind: 'rate', scope: 'tenant', code: 'RATE_LIMITED' },
  { id: 'tenant.apiCallsPerMonth', kind: 'period', scope: 'tenant', metric: 'apiCalls', period: 'month', code: 'QUOTA_EXCEEDED' },
  ...periodLimits('tenant', LIMIT_METRICS, LIMIT_PERIODS),
  { id: 'user.requestsPerSecond', kind: 'rate', scope: 'user', code: 'USER_RATE_LIMITED' },
  ...periodLimits('user', LIMIT_METRICS, LIMIT_PERIODS),
  { id: 'apiKey.requestsPerSecond', kind: 'rate', scope: 'apiKey', code: 'API_KEY_RATE_LIMITED' },
  ...periodLimits('apiKey', ['apiCalls'], ['month']),
];

export const LIMIT_IDS = LIMIT_DEFINITIONS.map((definition) => definition.id) as [string, ...string[]];

export const limitDefinitionById: ReadonlyMap<string, LimitDefinition> = new Map(LIMIT_DEFINITIONS.map((definition) => [definition.id, definition]));

/** The key of a period's counter and when the period ends (UTC): `2026-12-04`, `2026-12`, `2026`. */
export function periodWindow(period: LimitPeriod, now: Date): { key: string; endsAt: Date } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  switch (period) {
    case 'day':
      return { key: now.toISOString().slice(0, 10), endsAt: new Date(Date.UTC(year, month, day + 1)) };
    case 'month':
      return { key: now.toISOString().slice(0, 7), endsAt: new Date(Date.UTC(year, month + 1, 1)) };
    case 'year':
      return { key: String(year), endsAt: new Date(Date.UTC(year + 1, 0, 1)) };
  }
}

/** The plan's own limits, enforced by the rate limiter and the quota tracker (not by limit counters). */
export const PLAN_LIMIT_IDS: ReadonlySet<string> = new Set(['tenant.requestsPerSecond', 'tenant.apiCallsPerMonth']);
