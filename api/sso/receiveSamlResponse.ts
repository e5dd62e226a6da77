import { type Request } from 'express';
import { z } from 'zod';
import { durationMs } from '../../platform/config';
import { findConnection, tenantOfConnection, type SamlConnectionConfig } from '../../platform/identity/connections';
import { spendLoginState, type LoginStateRow } from '../../platform/identity/loginStates';
import { SamlRefusal, verifySamlResponse } from '../../platform/identity/samlServiceProvider';
import { parseTenantToken } from '../../platform/sessions/tenantTokens';
import { defineRoute, RESPONDED } from '../http/route';
import { finishSsoSignIn, refuseSsoSignIn } from './finishSsoSignIn';
import { SsoRefusal } from './ssoRefusal';
import { publicBaseUrl, samlAcsUrl, samlEntityId } from './ssoUrls';

const MAX_FORM_BYTES = 512 * 1024;

/** Reads an application/x-www-form-urlencoded body (the HTTP-POST binding), bounded. */
async function readForm(req: Request): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new SsoRefusal('SAML_TOO_LARGE', 'The SAML response is too large.', 413);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The first value of an attribute (or the NameID when it is unset). */
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export const receiveSamlResponse = defineRoute({
  method: 'post',
  path: '/v1/auth/sso/saml/:connectionId/acs',
  auth: 'public',
  summary: 'SAML assertion consumer service (HTTP-POST binding): verifies the response and signs the person in to the console',
  tags: ['sso'],
  params: z.strictObject({ connectionId: z.uuid() }),
  rawBody: { contentTypes: ['application/x-www-form-urlencoded'] },
  documentedBody: z.object({ SAMLResponse: z.string().describe('base64 samlp:Response'), RelayState: z.string().optional() }),
  responses: {
    302: { description: 'Signed in: Set-Cookie hub_session and hub_csrf, on to the console' },
    200: { description: 'A test sign-in: an HTML page listing the attributes received', contentType: 'text/html' },
    400: {
      description: 'An HTML page saying why the response was refused (signature, audience, recipient, destination, expiry, replay, InResponseTo)',
      contentType: 'text/html',
    },
  },
  async handler({ deps, req, res, params }) {
    const known: { tenantId?: string; connectionId?: string; state?: LoginStateRow; email?: string } = { connectionId: params.connectionId };
    try {
      const tenantId = await tenantOfConnection(deps.db, params.connectionId);
      const connection = tenantId ? await deps.db.withTenant(tenantId, (trx) => findConnection(trx, params.connectionId)) : undefined;
      if (!connection || connection.type !== 'saml') throw new SsoRefusal('SSO_NOT_CONFIGURED', 'There is no such SAML connection.', 404);
      known.tenantId = connection.tenant_id;
      if (!connection.enabled) throw new SsoRefusal('CONNECTION_DISABLED', 'This sign-in method is turned off.', 403);
      const form = await readForm(req);
      const samlResponse = form.get('SAMLResponse');
      if (!samlResponse) throw new SsoRefusal('SAML_MISSING', 'The request carries no SAMLResponse.');
      const base = publicBaseUrl(deps.config, req);
      const skewMs = durationMs(deps.config.SSO_CLOCK_SKEW);
      let verified;
      try {
        verified = await verifySamlResponse(
          connection,
          { entityId: samlEntityId(base, connection.id), acsUrl: samlAcsUrl(base, connection.id) },
          samlResponse,
          { clockSkewMs: skewMs },
        );
      } catch (error) {
        if (error instanceof SamlRefusal) throw new SsoRefusal(error.code, `The identity provider's answer was refused: ${error.message}.`);
        throw error;
      }
      const config = connection.config as SamlConnectionConfig;
      const state = await deps.db.withTenant(connection.tenant_id, async (trx) => {
        // Replay: an assertion id is accepted once, and remembered until it could no longer be used anyway.
        await trx('identity_saml_assertions').where('expires_at', '<', trx.fn.now()).delete();
        const inserted = await trx.raw(
          `insert into identity_saml_assertions (tenant_id, connection_id, assertion_id, expires_at) values (?, ?, ?, ?) on conflict do nothing returning assertion_id`,
          [connection.tenant_id, connection.id, verified.assertionId, verified.expiresAt],
        );
        if (inserted.rows.length === 0) throw new SsoRefusal('SAML_REPLAYED', 'This SAML assertion was already used.');
        if (!verified.inResponseTo) return undefined;
        return spendLoginState(trx, { connectionId: connection.id, samlRequestId: verified.inResponseTo });
      });
      if (verified.inResponseTo && !state)
        throw new SsoRefusal('SAML_IN_RESPONSE_TO', 'The response answers no sign-in of this hub that is still open (InResponseTo).');
      if (!verified.inResponseTo && !config.allowIdpInitiated) {
        throw new SsoRefusal('SAML_IDP_INITIATED', 'Sign-ins started at the identity provider are turned off for this connection; start from the console.');
      }
      // RelayState must be the state this sign-in was started with (it names the same tenant).
      const relayState = form.get('RelayState');
      if (state && relayState && parseTenantToken(relayState)?.tenantId !== connection.tenant_id) {
        throw new SsoRefusal('STATE_INVALID', 'The RelayState belongs to another sign-in.');
      }
      known.state = state;
      const emailValue = config.emailAttribute ? first(verified.attributes[config.emailAttribute]) : verified.nameId;
      if (!emailValue || !emailValue.includes('@')) throw new SsoRefusal('EMAIL_MISSING', 'The identity provider sent no e-mail address.');
      known.email = emailValue;
      const groupsValue = config.groupsAttribute ? verified.attributes[config.groupsAttribute] : undefined;
      const groups = config.groupsAttribute ? [groupsValue ?? []].flat().filter((group) => typeof group === 'string' && group !== '') : undefined;
      const identity = { email: emailValue, name: first(verified.attributes.displayName ?? verified.attributes.name), groups, subject: verified.nameId };
      await finishSsoSignIn(deps, { req, res }, { state, connection, identity, claims: { nameID: verified.nameId, ...verified.attributes }, method: 'saml' });
    } catch (error) {
      await refuseSsoSignIn(deps, { req, res }, error, known);
    }
    return RESPONDED;
  },
});
