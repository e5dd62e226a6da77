import { z } from 'zod';
import { findConnection } from '../../platform/identity/connections';
import { defineRoute, RESPONDED } from '../http/route';
import { tenantBySlug } from '../sessions/tenantBySlug';
import { beginSsoLogin } from './beginSsoLogin';
import { renderSsoRefusal, SsoRefusal } from './ssoRefusal';

/** A tenant login URL or the sign-in page's "Sign in with SSO": sends the browser to the identity provider. */
export const startSsoSignIn = defineRoute({
  method: 'get',
  path: '/v1/auth/sso/start',
  auth: 'public',
  summary: "Start an SSO sign-in: redirects the browser to the connection's identity provider (a tenant login URL)",
  tags: ['sso'],
  query: z.strictObject({
    tenant: z.string().min(1).max(48).describe('The tenant slug'),
    connection: z.uuid().optional().describe("The connection; default the tenant's first enabled one"),
    login_hint: z.string().max(320).optional().describe('The e-mail the person typed, passed on to the identity provider'),
    next: z.string().max(2000).optional().describe('The console path to open after sign-in'),
  }),
  responses: {
    302: { description: 'To the identity provider' },
    400: { description: 'An HTML page: the connection is turned off or cannot start a sign-in', contentType: 'text/html' },
    404: { description: 'An HTML page: no such organisation, or it has no such enabled connection (SSO_NOT_CONFIGURED)', contentType: 'text/html' },
  },
  async handler({ deps, req, res, query }) {
    try {
      const tenant = await tenantBySlug(deps.db, query.tenant);
      if (!tenant) throw new SsoRefusal('SSO_NOT_CONFIGURED', 'No single sign-on is set up for this organisation.', 404);
      const connection = await deps.db.withTenant(tenant.id, async (trx) =>
        query.connection ? findConnection(trx, query.connection) : trx('identity_connections').where({ enabled: true }).orderBy('created_at').first(),
      );
      if (!connection) throw new SsoRefusal('SSO_NOT_CONFIGURED', 'No single sign-on is set up for this organisation.', 404);
      const { url } = await beginSsoLogin(deps, { req, res }, { connection, purpose: 'sign_in', nextPath: query.next, loginHint: query.login_hint });
      res.set('Cache-Control', 'no-store').redirect(302, url.toString());
    } catch (error) {
      if (!(error instanceof SsoRefusal)) deps.logger.error({ err: error }, 'SSO start failed');
      renderSsoRefusal(res, error);
    }
    return RESPONDED;
  },
});
