import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { findConnection } from '../../platform/identity/connections';
import { auditActor } from '../auth/auditActor';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';
import { beginSsoLogin } from '../sso/beginSsoLogin';
import { SsoRefusal } from '../sso/ssoRefusal';
import { connectionTestSchema, toConnectionTestView } from './connectionTestView';
import { connectionIdParams } from './identityConnectionView';

/** "Test connection": a sign-in that creates nothing and keeps the claims for the console to show. */
export const startConnectionTest = defineRoute({
  method: 'post',
  path: '/v1/identity/connections/:id/tests',
  auth: 'tenant',
  summary: 'Start a test sign-in through the connection: open `url` in a popup, then read the claims received with GET …/tests/:testId',
  tags: ['identity'],
  params: connectionIdParams,
  responses: {
    201: { description: 'The pending test and the URL to open', schema: z.object({ test: connectionTestSchema, url: z.string() }) },
    404: { description: 'No such connection' },
    502: { description: 'The identity provider could not be reached (IDP_UNREACHABLE)' },
  },
  async handler({ deps, principal, params, req, res }) {
    const connection = await deps.db.withTenant(principal.tenantId, (trx) => findConnection(trx, params.id));
    if (!connection) throw errors.notFound('Connection');
    let started: { url: URL; loginStateId: string };
    try {
      started = await beginSsoLogin(
        deps,
        { req, res },
        { connection: { ...connection, enabled: true }, purpose: 'test', requestedBy: principal.session?.userId },
      );
    } catch (error) {
      if (error instanceof SsoRefusal) throw new ApiError(error.status === 502 ? 502 : 400, error.code, error.message);
      throw error;
    }
    const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const state = await trx('identity_login_states').where({ id: started.loginStateId }).first('id', 'result', 'expires_at');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'identity.connection_test_started',
        target: { type: 'identity_connection', id: connection.id },
      });
      return state;
    });
    return { status: 201, headers: { 'Cache-Control': 'no-store' }, body: { test: toConnectionTestView(row), url: started.url.toString() } };
  },
});
