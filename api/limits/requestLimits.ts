import { type Database } from '../../platform/db';
import { type PeriodLimitDefinition } from '../../platform/limits/limitCatalogue';
import { consumeLimits, type CountedLimit, LimitExceededError, limitSubject } from '../../platform/limits/limitCounters';
import { type EffectiveLimit, type LimitPolicy } from '../../platform/limits/limitPolicy';
import { PLAN_LIMIT_IDS } from '../../platform/limits/limitCatalogue';
import { type TenantPrincipal } from '../auth/principal';
import { ApiError } from '../errors';
import { limitExceededApiError } from './limitErrors';
import { type TenantRateLimiter } from './tenantRateLimiter';

/** Whose limits a request counts against besides the tenant's: its console user, or its API key. */
export function callerScope(principal: TenantPrincipal): { scope: 'user' | 'apiKey'; id: string } {
  return principal.session ? { scope: 'user', id: principal.session.userId } : { scope: 'apiKey', id: principal.keyId };
}

/**
 * The caller's own requests-per-second limit (its user's or its key's, when the tenant set one),
 * over the same shared token leasing as the tenant's (429 USER_RATE_LIMITED / API_KEY_RATE_LIMITED).
 */
export async function enforceCallerRate(rateLimiter: TenantRateLimiter, policy: LimitPolicy, principal: TenantPrincipal, now: Date): Promise<void> {
  const caller = callerScope(principal);
  const rate = policy.effective(`${caller.scope}.requestsPerSecond`, now);
  if (!rate) return;
  const decision = await rateLimiter.take(limitSubject(caller.scope, caller.id), rate.limit);
  if (decision.allowed) return;
  const seconds = Math.max(1, Math.ceil(decision.resetMs / 1000));
  throw new ApiError(
    429,
    rate.definition.code,
    `Rate limit of ${rate.limit} requests per second of ${caller.scope === 'user' ? 'this user' : 'this API key'} exceeded`,
    undefined,
    { 'Retry-After': String(seconds) },
  );
}

/** The period limits of `metric` that count the caller: the tenant's and its user's or key's (the plan's own quota aside). */
export function periodLimitsOf(
  policy: LimitPolicy,
  principal: TenantPrincipal | undefined,
  metric: PeriodLimitDefinition['metric'],
  now: Date,
): CountedLimit[] {
  const caller = principal ? callerScope(principal) : undefined;
  return policy
    .all(caller ? ['tenant', caller.scope] : ['tenant'], now)
    .filter((limit): limit is EffectiveLimit & { definition: PeriodLimitDefinition } => limit.definition.kind === 'period')
    .filter((limit) => limit.definition.metric === metric && !PLAN_LIMIT_IDS.has(limit.definition.id))
    .map((limit) => ({ limit, subject: limitSubject(limit.definition.scope, limit.definition.scope === 'tenant' ? undefined : caller!.id) }));
}

/**
 * Counts one API call against the tenant's and the caller's period limits (only those set: a
 * tenant without any costs nothing here). One transaction: all counters move or none, so a call
 * refused by one limit is not counted by another.
 */
export async function countApiCall(db: Database, policy: LimitPolicy, principal: TenantPrincipal, now: Date): Promise<void> {
  const counted = periodLimitsOf(policy, principal, 'apiCalls', now);
  if (counted.length === 0) return;
  try {
    await db.withTenant(principal.tenantId, (trx) => consumeLimits(trx, principal.tenantId, counted, now));
  } catch (error) {
    if (error instanceof LimitExceededError) throw limitExceededApiError(error, now);
    throw error;
  }
}
