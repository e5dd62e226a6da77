import { type Request } from 'express';
import { type ApiDeps } from '../deps';
import { type AdminPrincipal } from '../auth/principal';
import { ApiError } from '../errors';
import { csrfTokenMatches } from '../sessions/sessionCookies';
import { adminTokenFingerprint, hashOperatorSecret } from './operatorCookies';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 401 for an operator cookie that is unknown, signed out, expired, or made with an earlier admin token. */
export const operatorSessionExpired = () =>
  new ApiError(401, 'SESSION_EXPIRED', 'The operator session is invalid or has expired; sign in with the admin token again');

/**
 * The live operator session of a cookie secret (marked as seen), or undefined. A session is live
 * while it is not revoked, within its lifetime, and made with the admin token configured now.
 */
export async function liveOperatorSession(deps: Pick<ApiDeps, 'db' | 'config'>, secret: string): Promise<{ id: string; expiresAt: Date } | undefined> {
  const adminToken = deps.config.HUB_ADMIN_TOKEN;
  if (!adminToken) return undefined;
  const row = await deps.db.withPlatform(async (trx) => {
    const result = await trx.raw<{ rows: Array<{ id: string; expires_at: Date }> }>(
      `update operator_sessions set last_seen_at = now()
        where id_hash = ? and token_fingerprint = ? and revoked_at is null and expires_at > now()
       returning id, expires_at`,
      [hashOperatorSecret(secret), adminTokenFingerprint(adminToken)],
    );
    return result.rows[0];
  });
  return row ? { id: row.id, expiresAt: row.expires_at } : undefined;
}

/**
 * The platform admin behind an operator session cookie. A change (any method but GET, HEAD,
 * OPTIONS) needs the session's CSRF token in X-CSRF-Token (403 CSRF_TOKEN_INVALID), as console
 * sessions do.
 */
export async function authenticateOperatorSession(deps: Pick<ApiDeps, 'db' | 'config'>, req: Request, secret: string): Promise<AdminPrincipal> {
  const session = await liveOperatorSession(deps, secret);
  if (!session) throw operatorSessionExpired();
  if (!SAFE_METHODS.has(req.method) && !csrfTokenMatches(req, secret)) {
    throw new ApiError(403, 'CSRF_TOKEN_INVALID', 'A cookie-authenticated change needs the operator session’s CSRF token in the X-CSRF-Token header');
  }
  return { kind: 'admin', operatorSessionId: session.id };
}
