import { type TenantTransaction } from '../../platform/db';
import { consumeLimits, LimitExceededError } from '../../platform/limits/limitCounters';
import { LimitPolicy } from '../../platform/limits/limitPolicy';
import { currentLimitRaises } from '../../platform/limits/limitRaises';
import { effectiveSettings } from '../../platform/tenants/settings';
import { type TenantPrincipal } from '../auth/principal';
import { ApiError } from '../errors';
import { limitExceededApiError } from '../limits/limitErrors';
import { periodLimitsOf } from '../limits/requestLimits';

/** Job kinds outside the tenant's job limits: syncs wait for a slot under `maxConcurrentSyncs` instead. */
const UNLIMITED_KINDS = new Set(['sync']);

/**
 * Enforces the tenant's job limits (settings `limits.maxConcurrentJobs` and `limits.maxJobsPerDay`,
 * capped by the plan) before a job is recorded. Answers 429: both limits clear with time (a job
 * finishing, the next UTC day), like the rate limit, and nothing about the request itself is wrong.
 * Runs inside the transaction that records the job and serialises starts per tenant with a
 * transaction-scoped advisory lock, so concurrent requests cannot both take the last slot.
 */
export async function enforceJobLimits(trx: TenantTransaction, tenantId: string, kind: string, principal?: TenantPrincipal): Promise<void> {
  const tenant = (await trx('tenants').where({ id: tenantId }).first('plan', 'settings')) as {
    plan: Parameters<typeof effectiveSettings>[0];
    settings: Record<string, unknown>;
  };
  await enforcePeriodLimits(trx, tenantId, tenant, UNLIMITED_KINDS.has(kind) ? 'syncs' : 'jobs', principal);
  if (UNLIMITED_KINDS.has(kind)) return;
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`job-limits:${tenantId}`]);
  const limits = effectiveSettings(tenant.plan, tenant.settings ?? {}).limits;
  const [counts] = (await trx('jobs')
    .where({ tenant_id: tenantId })
    .whereNotIn('kind', [...UNLIMITED_KINDS])
    .select(
      trx.raw(`count(*) filter (where status in ('queued', 'running', 'paused'))::int as active`),
      trx.raw(`count(*) filter (where created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC')::int as today`),
    )) as Array<{ active: number; today: number }>;
  if (counts!.active >= limits.maxConcurrentJobs) {
    throw new ApiError(
      429,
      'JOB_CONCURRENCY_LIMIT',
      `${counts!.active} jobs are already running; the limit is ${limits.maxConcurrentJobs} at once (settings.limits.maxConcurrentJobs)`,
      undefined,
      {
        'Retry-After': '30',
      },
    );
  }
  if (counts!.today >= limits.maxJobsPerDay) {
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    throw new ApiError(
      429,
      'JOB_DAILY_LIMIT',
      `${counts!.today} jobs were started today (UTC); the limit is ${limits.maxJobsPerDay} per day (settings.limits.maxJobsPerDay)`,
      undefined,
      {
        'Retry-After': String(Math.max(1, Math.ceil((midnight - now.getTime()) / 1000))),
      },
    );
  }
}

/**
 * The tenant's and the starter's per-period limits of jobs or syncs (settings `limits.jobs`,
 * `limits.syncs`, `limits.perUser.*`, scheduled raises), counted in the transaction that records
 * the job: a start refused or rolled back counts nothing.
 */
async function enforcePeriodLimits(
  trx: TenantTransaction,
  tenantId: string,
  tenant: { plan: Parameters<typeof effectiveSettings>[0]; settings: Record<string, unknown> },
  metric: 'jobs' | 'syncs',
  principal: TenantPrincipal | undefined,
): Promise<void> {
  const now = new Date();
  const policy = new LimitPolicy(tenant.plan, tenant.settings ?? {}, await currentLimitRaises(trx, tenantId, now));
  const counted = periodLimitsOf(policy, principal, metric, now);
  if (counted.length === 0) return;
  try {
    // A savepoint: a refusal must not leave the caller's transaction aborted half-way.
    await trx.transaction((savepoint) => consumeLimits(savepoint, tenantId, counted, now));
  } catch (error) {
    if (error instanceof LimitExceededError) throw limitExceededApiError(error, now);
    throw error;
  }
}
