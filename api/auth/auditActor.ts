import { type Request } from 'express';
import { type AuditActor } from '../../platform/audit';
import { type TenantPrincipal } from './principal';

/** The audit "who" of a tenant request: the key (or the signed-in user), its role, the caller's address and the request id. */
export function auditActor(principal: TenantPrincipal, req: Request): AuditActor {
  if (principal.session) return { type: 'user', id: principal.session.userId, role: principal.role, ip: req.ip, requestId: String(req.id ?? '') || undefined };
  return { type: 'api_key', id: principal.keyId, role: principal.role, ip: req.ip, requestId: String(req.id ?? '') || undefined };
}
