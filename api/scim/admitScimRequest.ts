import { type Request, type Response } from 'express';
import { PLANS } from '../../platform/billing/catalogue';
import { parseScimToken } from '../../platform/scim/scimTokens';
import { type ScimPrincipal } from '../auth/principal';
import { type ApiDeps } from '../deps';
import { ApiError, errors } from '../errors';

interface LiveTokenRow {
  id: string;
  status: ScimPrincipal['tenantStatus'];
  plan: ScimPrincipal['plan'];
}

/**
 * What a /scim/v2 request passes before its handler: the per-address budget of failed
 * authentications, the tenant's SCIM token (`Authorization: Bearer hub_scim_…`, looked up under
 * the tenant's RLS, so it can only ever open that tenant's rows), the tenant's suspension and its
 * plan's per-second rate limit.
 */
export async function admitScimRequest(req: Request, _res: Response, deps: ApiDeps): Promise<ScimPrincipal> {
  const { controlPlane } = deps;
  const presented = bearerToken(req);
  const parsed = presented ? parseScimToken(presented) : undefined;
  const principal = await controlPlane.authFailures.authenticate(req, async () => {
    if (!parsed) throw errors.unauthenticated('Send the tenant’s SCIM token as Authorization: Bearer hub_scim_…');
    const row = await deps.db.withTenant(parsed.tenantId, async (trx) => {
      const found: LiveTokenRow | undefined = await trx('scim_tokens as k')
        .join('tenants as t', 't.id', 'k.tenant_id')
        .where({ 'k.token_hash': parsed.hash })
        .whereNull('k.revoked_at')
        .first('k.id', 't.status', 't.plan');
      // Last use to the minute: one write a minute, not one per request.
      if (found) {
        await trx('scim_tokens')
          .where({ id: found.id })
          .where((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', trx.raw(`now() - interval '1 minute'`)))
          .update({ last_used_at: trx.fn.now() });
      }
      return found;
    });
    if (!row) throw errors.unauthenticated('The SCIM token is unknown or revoked');
    return { kind: 'scim', tenantId: parsed.tenantId, tokenId: row.id, tenantStatus: row.status, plan: row.plan } satisfies ScimPrincipal;
  });
  if (principal.tenantStatus === 'suspended') throw new ApiError(403, 'TENANT_SUSPENDED', 'This tenant is suspended');
  const plan = PLANS[principal.plan];
  const rate = await controlPlane.rateLimiter.take(principal.tenantId, plan.requestsPerSecond);
  if (!rate.allowed) {
    const resetSeconds = String(Math.max(1, Math.ceil(rate.resetMs / 1000)));
    throw new ApiError(429, 'RATE_LIMITED', `Rate limit of ${rate.limit} requests per second exceeded (plan ${plan.id})`, undefined, {
      'Retry-After': resetSeconds,
    });
  }
  return principal;
}

export function bearerToken(req: Request): string | undefined {
  const authorization = req.headers.authorization;
  if (!authorization) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(authorization);
  return match?.[1]?.trim();
}
