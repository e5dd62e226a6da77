import { z } from 'zod';
import { durationMs } from '../../platform/config';
import { findConnection, openConnectionSecret, type IdentityConnectionRow, type OidcConnectionConfig } from '../../platform/identity/connections';
import { spendLoginState, type LoginStateRow } from '../../platform/identity/loginStates';
import { discoverOidc, openidClient } from '../../platform/identity/oidcClient';
import { parseTenantToken } from '../../platform/sessions/tenantTokens';
import { networkPolicyFor } from '../connectors/connectorInput';
import { defineRoute, RESPONDED } from '../http/route';
import { readCookie } from '../sessions/sessionCookies';
import { stateBinding } from './beginSsoLogin';
import { finishSsoSignIn, refuseSsoSignIn } from './finishSsoSignIn';
import { SsoRefusal } from './ssoRefusal';
import { oidcRedirectUri, publicBaseUrl, SSO_STATE_COOKIE } from './ssoUrls';

/** The OIDC redirect URI of every connection: checks the answer and signs the person in (or shows why not). */
export const receiveOidcCallback = defineRoute({
  method: 'get',
  path: '/v1/auth/sso/oidc/callback',
  auth: 'public',
  summary: 'OIDC redirect URI: exchanges the code (PKCE), verifies the ID token and signs the person in to the console',
  tags: ['sso'],
  query: z.looseObject({
    state: z.string().min(1).max(200).describe('The state the sign-in started with (an IdP error answer carries it too)'),
    code: z.string().max(4096).optional(),
    error: z.string().max(200).optional(),
  }),
  responses: {
    302: { description: 'Signed in: Set-Cookie hub_session and hub_csrf, on to the console' },
    200: { description: 'A test sign-in: an HTML page listing the claims received', contentType: 'text/html' },
    400: { description: 'An HTML page saying why the sign-in was refused (state, nonce, signature, audience, expiry, e-mail)', contentType: 'text/html' },
  },
  async handler({ deps, req, res, query }) {
    const known: { tenantId?: string; connectionId?: string; state?: LoginStateRow; email?: string } = {};
    try {
      const parsedState = parseTenantToken(query.state);
      if (!parsedState) throw new SsoRefusal('STATE_INVALID', 'The sign-in answer carries no valid state: start the sign-in again.');
      known.tenantId = parsedState.tenantId;
      const spent = await deps.db.withTenant(parsedState.tenantId, async (trx) => {
        const state = await spendLoginState(trx, { state: query.state });
        const connection = state ? await findConnection(trx, state.connection_id) : undefined;
        return { state, connection };
      });
      const { state, connection } = spent;
      if (!state || !connection || connection.type !== 'oidc') {
        throw new SsoRefusal('STATE_INVALID', 'This sign-in is unknown, already used or expired: start the sign-in again.');
      }
      known.state = state;
      known.connectionId = connection.id;
      // A real sign-in must come back to the browser that started it (a test runs in the admin's popup, the same browser).
      if (readCookie(req, SSO_STATE_COOKIE) !== stateBinding(query.state)) {
        throw new SsoRefusal('STATE_MISMATCH', 'This sign-in was started in another browser: start the sign-in again here.');
      }
      if (query.error) throw new SsoRefusal('IDP_ERROR', `The identity provider refused the sign-in: ${String(query.error_description ?? query.error)}`);
      const identity = await verifyOidcAnswer(deps, req, connection, state);
      known.email = identity.email;
      res.append('Set-Cookie', `${SSO_STATE_COOKIE}=; Path=/v1/auth/sso; Max-Age=0; HttpOnly; SameSite=Lax`);
      await finishSsoSignIn(deps, { req, res }, { state, connection, identity: identity, claims: identity.claims, method: 'oidc' });
    } catch (error) {
      await refuseSsoSignIn(deps, { req, res }, error, known);
    }
    return RESPONDED;
  },
});

/** Code exchange and every ID-token check; answers who signed in. */
async function verifyOidcAnswer(
  deps: Parameters<typeof receiveOidcCallback.handler>[0]['deps'],
  req: Parameters<typeof receiveOidcCallback.handler>[0]['req'],
  connection: IdentityConnectionRow,
  state: LoginStateRow,
) {
  const config = connection.config as OidcConnectionConfig;
  const skewMs = durationMs(deps.config.SSO_CLOCK_SKEW);
  const secret = await deps.db.withTenant(connection.tenant_id, (trx) => openConnectionSecret(trx, deps.vault, connection));
  const policy = await networkPolicyFor(deps, connection.tenant_id);
  let configuration;
  try {
    configuration = await discoverOidc(config, secret, { policy, clockSkewSeconds: skewMs / 1000 });
  } catch (error) {
    throw new SsoRefusal('IDP_UNREACHABLE', `The identity provider's discovery document could not be read (${(error as Error).message}).`, 502);
  }
  const base = publicBaseUrl(deps.config, req);
  const currentUrl = new URL(oidcRedirectUri(base));
  for (const [name, value] of Object.entries(req.query)) if (typeof value === 'string') currentUrl.searchParams.set(name, value);
  let tokens;
  try {
    tokens = await openidClient.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: state.code_verifier!,
      expectedState: currentUrl.searchParams.get('state')!,
      expectedNonce: state.nonce!,
      idTokenExpected: true,
    });
  } catch (error) {
    throw idTokenRefusal(error);
  }
  const claims = tokens.claims();
  if (!claims) throw new SsoRefusal('ID_TOKEN_INVALID', 'The identity provider sent no ID token.');
  // iat: issued during this sign-in (after it started, less the skew) and not in the future.
  const issuedAtMs = claims.iat * 1000;
  if (issuedAtMs < new Date(state.created_at).getTime() - skewMs || issuedAtMs > Date.now() + skewMs) {
    throw new SsoRefusal('ID_TOKEN_INVALID', 'The ID token was not issued for this sign-in (iat is outside it).');
  }
  if (typeof claims.email !== 'string' || !claims.email.includes('@')) throw new SsoRefusal('EMAIL_MISSING', 'The identity provider sent no e-mail address.');
  if (claims.email_verified !== true)
    throw new SsoRefusal('EMAIL_NOT_VERIFIED', 'The identity provider has not verified this e-mail address (email_verified).');
  const groupsClaim = config.groupsClaim ? claims[config.groupsClaim] : undefined;
  const groups = config.groupsClaim ? (Array.isArray(groupsClaim) ? groupsClaim.filter((group): group is string => typeof group === 'string') : []) : undefined;
  return {
    email: claims.email,
    name: typeof claims.name === 'string' ? claims.name : undefined,
    groups,
    subject: claims.sub,
    claims: claims as Record<string, unknown>,
  };
}

/** The refusal for a failed code exchange or ID-token check, naming the check. */
function idTokenRefusal(error: unknown): SsoRefusal {
  // openid-client wraps oauth4webapi's error; the claim that failed is somewhere down the causes.
  const messages: string[] = [];
  let claim: string | undefined;
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    const layer = current as { message?: string; claim?: string; cause?: unknown };
    if (layer.message) messages.push(layer.message);
    claim ??= typeof layer.claim === 'string' ? layer.claim : undefined;
    current = layer.cause;
  }
  const message = messages[0] ?? String(error);
  const all = messages.join(' / ');
  if (claim === 'nonce' || /nonce/i.test(all)) return new SsoRefusal('NONCE_MISMATCH', `The ID token's nonce does not match this sign-in (${message}).`);
  if (claim === 'aud' || /"aud"|audience/i.test(all)) return new SsoRefusal('AUDIENCE_MISMATCH', `The ID token was issued for another client (${message}).`);
  if (claim === 'iss' || /"iss"|issuer/i.test(all)) return new SsoRefusal('ISSUER_MISMATCH', `The ID token comes from another issuer (${message}).`);
  if (claim === 'exp' || /"exp"|expired/i.test(all)) return new SsoRefusal('ID_TOKEN_EXPIRED', `The ID token has expired (${message}).`);
  if (claim === 'iat' || /"iat"/.test(all)) return new SsoRefusal('ID_TOKEN_INVALID', `The ID token's iat is unacceptable (${message}).`);
  if (/signature/i.test(all)) return new SsoRefusal('ID_TOKEN_SIGNATURE', `The ID token's signature does not verify with the provider's keys (${message}).`);
  return new SsoRefusal('ID_TOKEN_INVALID', `The identity provider's answer was refused (${all}).`);
}
