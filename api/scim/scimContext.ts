import { type Request } from 'express';
import { type AuditActor } from '../../platform/audit';
import { type ScimPrincipal } from '../auth/principal';
import { type ApiDeps } from '../deps';

/** What the SCIM stores need from a request: the tenant, who acts (for audit rows) and the base URL resources link to. */
export interface ScimContext {
  tenantId: string;
  actor: AuditActor;
  baseUrl: string;
}

/** The base URL of the SCIM service as identity providers reach it. */
export function scimBaseUrl(deps: Pick<ApiDeps, 'config'>, req: Request): string {
  const origin = deps.config.PUBLIC_URL ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return `${origin.replace(/\/+$/, '')}/scim/v2`;
}

/** Audit rows of SCIM changes name the token (actor `system`, id `scim_token:<id>`): no person made the change, the IdP did. */
export function scimContext(deps: Pick<ApiDeps, 'config'>, principal: ScimPrincipal, req: Request): ScimContext {
  return {
    tenantId: principal.tenantId,
    actor: { type: 'system', id: `scim_token:${principal.tokenId}`, ip: req.ip, requestId: String(req.id ?? '') || undefined },
    baseUrl: scimBaseUrl(deps, req),
  };
}
