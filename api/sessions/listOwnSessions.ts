import { z } from 'zod';
import { defineRoute } from '../http/route';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { readCookie, SESSION_COOKIE } from './sessionCookies';

const ownSessionSchema = z.object({
  id: z.uuid(),
  method: z.string(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  ip: z.string().nullable().describe('The address it signed in from'),
  current: z.boolean().describe('The session of this request'),
});

export const listOwnSessions = defineRoute({
  method: 'get',
  path: '/v1/auth/sessions',
  auth: 'public',
  summary: "The signed-in user's live sessions (not signed out, within idle timeout and lifetime), newest first",
  tags: ['sessions'],
  responses: {
    200: { description: 'The live sessions', schema: z.object({ data: z.array(ownSessionSchema) }) },
    401: { description: 'No live session (UNAUTHENTICATED, SESSION_EXPIRED)' },
  },
  async handler({ deps, req }) {
    const principal = await authenticateSession(deps.db, req, requireSessionSecret(readCookie(req, SESSION_COOKIE)));
    const { id: currentId, userId } = principal.session!;
    const rows = await deps.db.withTenant(principal.tenantId, (trx) =>
      trx('user_sessions')
        .where({ user_id: userId })
        .whereNull('revoked_at')
        .where('expires_at', '>', trx.fn.now())
        .whereRaw('last_seen_at > now() - make_interval(secs => idle_timeout_seconds)')
        .orderBy('created_at', 'desc')
        .limit(100)
        .select<Array<{ id: string; auth_method: string; created_at: Date; last_seen_at: Date; expires_at: Date; ip: string | null }>>(
          'id',
          'auth_method',
          'created_at',
          'last_seen_at',
          'expires_at',
          'ip',
        ),
    );
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      body: {
        data: rows.map((row) => ({
          id: row.id,
          method: row.auth_method,
          createdAt: row.created_at.toISOString(),
          lastSeenAt: row.last_seen_at.toISOString(),
          expiresAt: row.expires_at.toISOString(),
          ip: row.ip,
          current: row.id === currentId,
        })),
      },
    };
  },
});
