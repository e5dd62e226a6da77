import { type Request } from 'express';
import { type TenantPrincipal } from '../auth/principal';
import { type AuditActor } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';

/** The audit actor of a tenant API call (the key, or the signed-in user). */
export function apiKeyActor(principal: TenantPrincipal, req: Request): AuditActor {
  return auditActor(principal, req);
}
