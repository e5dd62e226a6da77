import { defineRoute } from '../http/route';
import { readCookie } from '../sessions/sessionCookies';
import { authenticateOperatorSession } from './authenticateOperatorSession';
import { clearOperatorCookie, OPERATOR_COOKIE } from './operatorCookies';

export const deleteOperatorSession = defineRoute({
  method: 'delete',
  path: '/v1/admin/sessions/current',
  auth: 'public',
  summary: 'Sign the operator out: ends the operator session (needs X-CSRF-Token) and clears its cookie',
  tags: ['admin'],
  responses: {
    204: { description: 'Signed out (also when there was no live session: the cookie is cleared either way)' },
    403: { description: 'The CSRF token is missing or wrong (CSRF_TOKEN_INVALID)' },
  },
  async handler({ deps, req, res }) {
    const secret = readCookie(req, OPERATOR_COOKIE);
    const principal = secret ? await authenticateOperatorSession(deps, req, secret).catch(rethrowUnlessExpired) : undefined;
    if (principal?.operatorSessionId) {
      await deps.db.withPlatform((trx) => trx('operator_sessions').where({ id: principal.operatorSessionId }).update({ revoked_at: trx.fn.now() }));
      deps.logger.info(
        {
          audit: true,
          action: 'operator.signed_out',
          actor: 'platform_admin',
          ip: req.ip,
          requestId: String(req.id ?? ''),
          operatorSessionId: principal.operatorSessionId,
        },
        'operator signed out of the console',
      );
    }
    clearOperatorCookie(res, deps.config);
    return { status: 204 };
  },
});

/** A session already over is as good as signed out; a CSRF refusal is not. */
function rethrowUnlessExpired(error: unknown): undefined {
  if (error instanceof Error && 'status' in error && (error as { status: number }).status === 401) return undefined;
  throw error;
}
