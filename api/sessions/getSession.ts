import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { toUserView, userSchema, type UserRow } from '../users/userView';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { csrfTokenFor, readCookie, SESSION_COOKIE } from './sessionCookies';
import { sessionSchema } from './startSession';

export const getSession = defineRoute({
  method: 'get',
  path: '/v1/auth/session',
  auth: 'public',
  summary: 'The signed-in user, the session and its CSRF token (the console calls it on load)',
  tags: ['sessions'],
  responses: {
    200: { description: 'The session', schema: z.object({ user: userSchema, session: sessionSchema, csrfToken: z.string() }) },
    401: { description: 'No session cookie (UNAUTHENTICATED), or it is signed out or past its idle timeout or lifetime (SESSION_EXPIRED)' },
    403: { description: "The tenant's IP allowlist does not include the caller (IP_NOT_ALLOWED)" },
  },
  async handler({ deps, req }) {
    const secret = requireSessionSecret(readCookie(req, SESSION_COOKIE));
    const principal = await authenticateSession(deps.db, req, secret, { allowMfaPending: true });
    const { id: sessionId, userId } = principal.session!;
    const found = await deps.db.withTenant(principal.tenantId, async (trx) => ({
      user: await trx<UserRow>('users').where({ id: userId }).first(),
      session: await trx('user_sessions')
        .where({ id: sessionId })
        .first<{ auth_method: string; idle_timeout_seconds: number; expires_at: Date; mfa_pending: boolean } | undefined>(
          'auth_method',
          'idle_timeout_seconds',
          'expires_at',
          'mfa_pending',
        ),
    }));
    if (!found.user || !found.session) throw errors.unauthenticated();
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      body: {
        user: toUserView(found.user),
        session: {
          id: sessionId,
          userId,
          method: found.session.auth_method,
          idleTimeoutSeconds: found.session.idle_timeout_seconds,
          expiresAt: found.session.expires_at.toISOString(),
          mfaPending: found.session.mfa_pending,
        },
        csrfToken: csrfTokenFor(secret),
      },
    };
  },
});
