import { type Request } from 'express';
import { type ApiDeps } from '../deps';
import { authenticateOperatorSession } from '../operatorSessions/authenticateOperatorSession';
import { OPERATOR_COOKIE } from '../operatorSessions/operatorCookies';
import { readCookie } from '../sessions/sessionCookies';
import { authenticateAdmin } from './authenticate';
import { type AdminPrincipal } from './principal';

/**
 * A platform-admin request's credential: `Authorization: Bearer <HUB_ADMIN_TOKEN>` whenever an
 * Authorization header is sent (scripts and the CLI, unchanged), else the console's operator
 * session cookie (the admin token exchanged at POST /v1/admin/sessions).
 */
export function authenticateAdminRequest(deps: Pick<ApiDeps, 'db' | 'config'>, req: Request): AdminPrincipal | Promise<AdminPrincipal> {
  const secret = req.headers.authorization ? undefined : readCookie(req, OPERATOR_COOKIE);
  return secret ? authenticateOperatorSession(deps, req, secret) : authenticateAdmin(deps.config.HUB_ADMIN_TOKEN, req);
}
