import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { defineRoute } from '../http/route';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { clearSessionCookies, readCookie, SESSION_COOKIE } from './sessionCookies';

export const signOut = defineRoute({
  method: 'post',
  path: '/v1/auth/sign-out',
  auth: 'public',
  summary: 'Sign out this session (needs X-CSRF-Token); clears the cookies',
  tags: ['sessions'],
  responses: {
    204: { description: 'Signed out' },
    401: { description: 'No live session (UNAUTHENTICATED, SESSION_EXPIRED)' },
    403: { description: 'The CSRF token is missing or wrong (CSRF_TOKEN_INVALID), or the IP allowlist refuses the caller (IP_NOT_ALLOWED)' },
  },
  async handler({ deps, req, res }) {
    const principal = await authenticateSession(deps.db, req, requireSessionSecret(readCookie(req, SESSION_COOKIE)), { allowMfaPending: true });
    const session = principal.session!;
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      await trx('user_sessions').where({ id: session.id }).update({ revoked_at: trx.fn.now() });
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.signed_out',
        target: { type: 'user', id: session.userId },
        details: { sessionId: session.id },
      });
    });
    clearSessionCookies(res, deps.config);
    return { status: 204 };
  },
});
