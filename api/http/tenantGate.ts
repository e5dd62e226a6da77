import { type Request, type Response } from 'express';
import { PLANS } from '../../platform/billing/catalogue';
import { USAGE_KINDS } from '../../platform/metering/usageEvent';
import { accessTable } from '../auth/accessTable';
import { authenticateRequest } from '../auth/authenticateRequest';
import { type TenantPrincipal } from '../auth/principal';
import { roleAtLeast } from '../auth/roles';
import { requiredScope, scopesAllow } from '../auth/scopes';
import { type ApiDeps } from '../deps';
import { ApiError, errors } from '../errors';
import { countApiCall, enforceCallerRate } from '../limits/requestLimits';
import { routeKey, type AnyRoute } from './route';

/**
 * Everything a tenant request passes before its handler, in order: the per-address budget of
 * failed authentications (429 RATE_LIMITED), authenticate the key or session cookie (IP allowlist and CSRF included), refuse
 * suspended tenants, the per-second rate limit (429 RATE_LIMITED; a scheduled raise may lift it), the caller's own
 * per-second limit (429 USER_RATE_LIMITED / API_KEY_RATE_LIMITED), the monthly quota of plans that
 * refuse past it (429 QUOTA_EXCEEDED), the role from the access table and the key's scopes (403), then the tenant's
 * and the caller's period limits of API calls (429 with each limit's code, platform/limits/limitCatalogue.ts). Every authenticated request is metered when the response ends:
 * quantity 1 when it was admitted, 0 when the limits, the role or the scopes refused it.
 */
export async function admitTenantRequest(route: AnyRoute, req: Request, res: Response, deps: ApiDeps, startedAt: number): Promise<TenantPrincipal> {
  const { controlPlane } = deps;
  const key = routeKey(route);
  // Throttled per address before the lookup: bad keys from one address cannot keep the database busy.
  const principal = await controlPlane.authFailures.authenticate(req, () => authenticateRequest(deps.db, req, controlPlane.credentials));
  res.locals.principal = principal;
  if (!principal.session) controlPlane.lastUsed.touch(principal.tenantId, principal.keyId);

  let admitted = false;
  const costUnits = route.costUnits ?? 1;
  res.once('close', () => {
    controlPlane.usage.record({
      tenantId: principal.tenantId,
      kind: USAGE_KINDS.apiCall,
      quantity: admitted ? 1 : 0,
      apiKeyId: principal.session ? undefined : principal.keyId,
      method: route.method.toUpperCase(),
      route: route.path,
      status: res.statusCode,
      latencyMs: performance.now() - startedAt,
      costUnits: admitted ? costUnits : 0,
    });
  });

  if (principal.tenantStatus === 'suspended' && !route.allowWhenSuspended) {
    throw new ApiError(403, 'TENANT_SUSPENDED', 'This tenant is suspended; only its profile and invoices are available');
  }

  const plan = PLANS[principal.plan];
  const now = new Date();
  // The plan's limits as a scheduled raise may lift them, and the tenant's own per-user, per-key and per-period limits.
  const policy = await controlPlane.limitPolicies.policyOf(principal.tenantId, principal.plan);
  const rate = await controlPlane.rateLimiter.take(principal.tenantId, policy.effective('tenant.requestsPerSecond', now)!.limit);
  const resetSeconds = Math.max(1, Math.ceil(rate.resetMs / 1000));
  res.setHeader('RateLimit-Policy', `${rate.limit};w=1`);
  res.setHeader('RateLimit-Limit', String(rate.limit));
  res.setHeader('RateLimit-Remaining', String(Math.max(0, rate.remaining)));
  res.setHeader('RateLimit-Reset', String(resetSeconds));
  if (!rate.allowed) {
    throw new ApiError(429, 'RATE_LIMITED', `Rate limit of ${rate.limit} requests per second exceeded (plan ${plan.id})`, undefined, {
      'Retry-After': String(resetSeconds),
    });
  }
  await enforceCallerRate(controlPlane.rateLimiter, policy, principal, now);

  // Account routes (profile, usage, invoices) stay reachable when the quota is used up.
  if (plan.quotaPolicy === 'refuse' && !route.allowWhenSuspended && !route.quotaExempt) {
    const quota = await controlPlane.quota.check(principal.tenantId, policy.effective('tenant.apiCallsPerMonth', now)!.limit);
    if (!quota.allowed) {
      throw new ApiError(
        429,
        'QUOTA_EXCEEDED',
        `The monthly quota of ${quota.limit} API calls of plan ${plan.id} is used up; upgrade the plan or wait for the next month`,
        [{ path: 'quota', message: `${quota.used} of ${quota.limit} calls used this month`, used: quota.used, limit: quota.limit }],
        { 'Retry-After': String(quota.resetSeconds) },
      );
    }
  }
  const requiredRole = accessTable[key]!;
  if (!roleAtLeast(principal.role, requiredRole)) {
    throw errors.forbidden(`${key} needs role ${requiredRole} or higher; this key has ${principal.role}`);
  }
  const scope = requiredScope(route.method, route.path);
  if (!scopesAllow(principal.scopes, scope)) {
    throw errors.forbidden(`${key} needs scope ${scope}, which this key does not have`);
  }
  // Account routes stay reachable past the period limits too; counted last, so a 403 counts against none.
  if (!route.allowWhenSuspended && !route.quotaExempt) await countApiCall(deps.db, policy, principal, now);
  // Admitted only now: a request its role or scopes refuse (403) is neither billed nor counted against the quota.
  admitted = true;
  controlPlane.quota.admit(principal.tenantId);
  return principal;
}
