import { z } from 'zod';
import { defineRoute } from '../http/route';
import { csrfTokenFor, readCookie } from '../sessions/sessionCookies';
import { liveOperatorSession } from './authenticateOperatorSession';
import { OPERATOR_COOKIE } from './operatorCookies';
import { operatorSessionSchema } from './operatorSessionView';

export const getOperatorSession = defineRoute({
  method: 'get',
  path: '/v1/admin/sessions/current',
  auth: 'public',
  summary: "The console's operator session and its CSRF token, or null when the browser holds none (the operator screens call it on load)",
  tags: ['admin'],
  responses: {
    200: {
      description: 'The session and its CSRF token; both null when there is no live operator session',
      schema: z.object({ session: operatorSessionSchema.nullable(), csrfToken: z.string().nullable() }),
    },
  },
  async handler({ deps, req }) {
    const secret = readCookie(req, OPERATOR_COOKIE);
    const session = secret ? await liveOperatorSession(deps, secret) : undefined;
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      body: session
        ? { session: { id: session.id, expiresAt: session.expiresAt.toISOString() }, csrfToken: csrfTokenFor(secret!) }
        : { session: null, csrfToken: null },
    };
  },
});
