import { type Request } from 'express';
import { type Database } from '../../platform/db';
import { authenticateSession } from '../sessions/authenticateSession';
import { readCookie, SESSION_COOKIE } from '../sessions/sessionCookies';
import { authenticateTenant, presentedApiKey } from './authenticate';
import { type CredentialCache } from './credentialCache';
import { type TenantPrincipal } from './principal';

/**
 * A tenant request's credential: an API key when one is presented (a browser never sends one by
 * itself, so it needs no CSRF token), else the console session cookie. Both end in the same
 * {@link TenantPrincipal}, so the access table authorises both alike. Another sign-in method (SSO)
 * only has to create sessions: it needs nothing here.
 */
export function authenticateRequest(db: Database, req: Request, cache?: CredentialCache): Promise<TenantPrincipal> {
  const sessionSecret = presentedApiKey(req) ? undefined : readCookie(req, SESSION_COOKIE);
  return sessionSecret ? authenticateSession(db, req, sessionSecret) : authenticateTenant(db, req, cache);
}
