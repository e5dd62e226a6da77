import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { durationMs } from '../../platform/config';
import { adminTokenMatches } from '../auth/authenticate';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { csrfTokenFor } from '../sessions/sessionCookies';
import { adminTokenFingerprint, newOperatorSecret, setOperatorCookie } from './operatorCookies';
import { operatorSessionSchema } from './operatorSessionView';

export const createOperatorSession = defineRoute({
  method: 'post',
  path: '/v1/admin/sessions',
  auth: 'public',
  summary:
    'Exchange the platform admin token (in the body, or as Authorization: Bearer) for an operator session: sets the HttpOnly, SameSite=Strict operator cookie the admin routes accept, and answers its CSRF token',
  tags: ['admin'],
  body: z
    .strictObject({ token: z.string().min(1).max(1024).optional().describe('The admin token (HUB_ADMIN_TOKEN); or send it as Authorization: Bearer') })
    .optional(),
  responses: {
    201: {
      description: 'Signed in: Set-Cookie hub_operator (HttpOnly, SameSite=Strict, Path=/v1/admin); send csrfToken as X-CSRF-Token on every change',
      schema: z.object({ session: operatorSessionSchema, csrfToken: z.string() }),
    },
    401: { description: 'The admin token is missing or wrong (UNAUTHENTICATED); counts against the address’s failed-authentication budget' },
    429: { description: 'Too many failed authentications from this address (RATE_LIMITED, Retry-After)' },
  },
  async handler({ deps, req, res, body }) {
    const authorization = req.headers.authorization;
    const presented = body?.token ?? (authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : undefined);
    const audit = { audit: true, actor: 'platform_admin', ip: req.ip, requestId: String(req.id ?? '') };
    await deps.controlPlane.authFailures.authenticate(req, () => {
      if (!adminTokenMatches(deps.config.HUB_ADMIN_TOKEN, presented)) {
        deps.logger.warn({ ...audit, action: 'operator.sign_in_failed' }, 'operator sign-in refused: wrong or missing admin token');
        throw errors.unauthenticated('The platform admin token is missing or wrong');
      }
    });
    const { secret, hash } = newOperatorSecret();
    const id = randomUUID();
    const lifetimeSeconds = Math.max(1, Math.round(durationMs(deps.config.OPERATOR_SESSION_LIFETIME) / 1000));
    const expiresAt = new Date(Date.now() + lifetimeSeconds * 1000);
    await deps.db.withPlatform((trx) =>
      trx('operator_sessions').insert({
        id,
        id_hash: hash,
        token_fingerprint: adminTokenFingerprint(deps.config.HUB_ADMIN_TOKEN!),
        expires_at: expiresAt,
        ip: req.ip ?? null,
      }),
    );
    setOperatorCookie(res, deps.config, secret, lifetimeSeconds);
    deps.logger.info({ ...audit, action: 'operator.signed_in', operatorSessionId: id }, 'operator signed in to the console');
    return {
      status: 201,
      headers: { 'Cache-Control': 'no-store' },
      body: { session: { id, expiresAt: expiresAt.toISOString() }, csrfToken: csrfTokenFor(secret) },
    };
  },
});
