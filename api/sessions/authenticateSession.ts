import { type Request } from 'express';
import { type Database } from '../../platform/db';
import { inCidrs } from '../../platform/network/addressPolicy';
import { parseTenantToken } from '../../platform/sessions/tenantTokens';
import { type TenantPrincipal } from '../auth/principal';
import { type Role } from '../auth/roles';
import { ApiError, errors } from '../errors';
import { csrfTokenMatches } from './sessionCookies';

interface LiveSessionRow {
  id: string;
  user_id: string;
  role: Role;
  slug: string;
  status: TenantPrincipal['tenantStatus'];
  plan: TenantPrincipal['plan'];
  ip_allowlist: string[] | null;
  mfa_pending: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 401 for a session cookie that is unknown, signed out, past its idle timeout or lifetime. */
export const sessionExpired = () => new ApiError(401, 'SESSION_EXPIRED', 'The session is invalid or has expired; sign in again');

/**
 * Resolves a session cookie to its tenant principal and marks the session as seen, in one
 * statement: a session is live while it is not revoked, within its absolute lifetime, seen within
 * its idle timeout, and its user is active. The user's current role applies (a role change takes
 * effect on the next request). Mutations need the session's CSRF token (403 CSRF_TOKEN_INVALID),
 * and the tenant's IP allowlist applies as to API keys. A session of a user who must still enrol
 * in MFA (the tenant requires it) is refused everything (403 MFA_ENROLMENT_REQUIRED) but the
 * routes that pass `allowMfaPending`: enrolment, the session itself, sign-out.
 */
export async function authenticateSession(
  db: Database,
  req: Request,
  sessionSecret: string,
  options: { allowMfaPending?: boolean } = {},
): Promise<TenantPrincipal> {
  const parsed = parseTenantToken(sessionSecret);
  if (!parsed) throw sessionExpired();
  const row = await db.withTenant(parsed.tenantId, async (trx) => {
    const result = await trx.raw<{ rows: LiveSessionRow[] }>(
      `update user_sessions s set last_seen_at = now()
         from users u, tenants t
        where s.id_hash = ? and u.id = s.user_id and t.id = s.tenant_id
          and s.revoked_at is null and s.expires_at > now()
          and s.last_seen_at > now() - make_interval(secs => s.idle_timeout_seconds)
          and u.status = 'active'
       returning s.id, s.user_id, s.mfa_pending, u.role, t.slug, t.status, t.plan,
         coalesce(array(select jsonb_array_elements_text(t.settings #> '{security,ipAllowlist}')), '{}') as ip_allowlist`,
      [parsed.hash],
    );
    return result.rows[0];
  });
  if (!row) throw sessionExpired();
  const allowlist = row.ip_allowlist ?? [];
  if (allowlist.length > 0 && !inCidrs(req.ip ?? '', allowlist)) {
    throw new ApiError(403, 'IP_NOT_ALLOWED', "This tenant's IP allowlist does not include the caller's address");
  }
  if (!SAFE_METHODS.has(req.method) && !csrfTokenMatches(req, sessionSecret)) {
    throw new ApiError(403, 'CSRF_TOKEN_INVALID', 'A cookie-authenticated change needs the session’s CSRF token in the X-CSRF-Token header');
  }
  if (row.mfa_pending && !options.allowMfaPending) {
    throw new ApiError(403, 'MFA_ENROLMENT_REQUIRED', 'This tenant requires MFA: enrol (POST /v1/auth/mfa/enrolment) before using the console');
  }
  return {
    kind: 'tenant',
    tenantId: parsed.tenantId,
    tenantSlug: row.slug,
    tenantStatus: row.status,
    plan: row.plan,
    keyId: row.id,
    role: row.role,
    scopes: null,
    session: { id: row.id, userId: row.user_id, mfaPending: row.mfa_pending },
  };
}

/** The session cookie's principal, or 401 UNAUTHENTICATED when the request carries none. */
export function requireSessionSecret(secret: string | undefined): string {
  if (!secret) throw errors.unauthenticated('Sign in first: this needs a console session');
  return secret;
}
