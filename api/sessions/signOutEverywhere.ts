import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { defineRoute } from '../http/route';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { clearSessionCookies, readCookie, SESSION_COOKIE } from './sessionCookies';

export const signOutEverywhere = defineRoute({
  method: 'post',
  path: '/v1/auth/sign-out-everywhere',
  auth: 'public',
  summary: 'Sign out every session of the signed-in user, this one included (needs X-CSRF-Token)',
  tags: ['sessions'],
  responses: {
    200: { description: 'Signed out everywhere', schema: z.object({ revokedSessions: z.number().int() }) },
    401: { description: 'No live session (UNAUTHENTICATED, SESSION_EXPIRED)' },
    403: { description: 'The CSRF token is missing or wrong (CSRF_TOKEN_INVALID), or the IP allowlist refuses the caller (IP_NOT_ALLOWED)' },
  },
  async handler({ deps, req, res }) {
    const principal = await authenticateSession(deps.db, req, requireSessionSecret(readCookie(req, SESSION_COOKIE)));
    const { userId } = principal.session!;
    const revokedSessions = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const revoked = await trx('user_sessions').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: trx.fn.now() });
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.signed_out_everywhere',
        target: { type: 'user', id: userId },
        details: { revokedSessions: revoked },
      });
      return revoked;
    });
    clearSessionCookies(res, deps.config);
    return { status: 200, body: { revokedSessions } };
  },
});
