import { z } from 'zod';
import { type Database } from '../../platform/db';
import { LIMIT_IDS, periodWindow, PLAN_LIMIT_IDS } from '../../platform/limits/limitCatalogue';
import { counterKey, limitSubject, readLimitCounters } from '../../platform/limits/limitCounters';
import { type LimitPolicy } from '../../platform/limits/limitPolicy';
import { type TenantPrincipal } from '../auth/principal';
import { callerScope } from './requestLimits';

export const limitUsageSchema = z.object({
  id: z.enum(LIMIT_IDS).describe('the limit, e.g. tenant.apiCalls.day, user.jobs.month, apiKey.requestsPerSecond'),
  scope: z.enum(['tenant', 'user', 'apiKey']).describe('tenant: the whole tenant; user, apiKey: the caller'),
  metric: z.enum(['apiCalls', 'jobs', 'syncs', 'requestsPerSecond']),
  period: z.enum(['day', 'month', 'year', 'second']),
  limit: z.number().int().describe('what is enforced now (a scheduled raise included)'),
  configured: z.number().int().describe('what settings say, without raises'),
  raisedUntil: z.iso.datetime().nullable().describe('when the active raise ends'),
  used: z.number().int().nullable().describe('counted so far this period (null for per-second limits)'),
  remaining: z.number().int().nullable(),
  resetsAt: z.iso.datetime().nullable().describe('when the period ends (UTC); null for per-second limits'),
  code: z.string().describe('the code of the 429 past this limit'),
});

/** The tenant's and the caller's limits that are set (the plan's own are in `quota` and the RateLimit headers), with what is left. */
export async function limitUsage(db: Database, policy: LimitPolicy, principal: TenantPrincipal, now: Date): Promise<Array<z.infer<typeof limitUsageSchema>>> {
  const caller = callerScope(principal);
  const limits = policy.all(['tenant', caller.scope], now).filter((limit) => !PLAN_LIMIT_IDS.has(limit.definition.id));
  const subjectOf = (scope: 'tenant' | 'user' | 'apiKey') => limitSubject(scope, scope === 'tenant' ? undefined : caller.id);
  const counters =
    limits.length === 0
      ? new Map<string, number>()
      : await db.withTenant(principal.tenantId, (trx) => readLimitCounters(trx, principal.tenantId, ['tenant', subjectOf(caller.scope)], now));
  return limits.map(({ definition, base, limit, raisedUntil }) => {
    const common = {
      id: definition.id,
      scope: definition.scope,
      limit,
      configured: base,
      raisedUntil: raisedUntil?.toISOString() ?? null,
      code: definition.code,
    };
    if (definition.kind === 'rate')
      return { ...common, metric: 'requestsPerSecond' as const, period: 'second' as const, used: null, remaining: null, resetsAt: null };
    const used = counters.get(counterKey(subjectOf(definition.scope), definition, now)) ?? 0;
    return {
      ...common,
      metric: definition.metric,
      period: definition.period,
      used,
      remaining: Math.max(0, limit - used),
      resetsAt: periodWindow(definition.period, now).endsAt.toISOString(),
    };
  });
}
