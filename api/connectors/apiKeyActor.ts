import { type Request } from 'express';
import { type TenantPrincipal } from '../auth/principal';
import { type AuditActor } from '../../platform/audit';

/** The audit actor of a tenant API call. */
export function apiKeyActor(principal: TenantPrincipal, req: Request): AuditActor {
  return { type: 'api_key', id: principal.keyId, role: principal.role, ip: req.ip, requestId: String(req.id ?? '') || undefined };
}
