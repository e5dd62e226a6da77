import { createHash } from 'node:crypto';
import { type Request, type Response } from 'express';
import { durationMs } from '../../platform/config';
import { type IdentityConnectionRow, type OidcConnectionConfig, openConnectionSecret } from '../../platform/identity/connections';
import { createLoginState } from '../../platform/identity/loginStates';
import { authorizationUrl, discoverOidc, openidClient } from '../../platform/identity/oidcClient';
import { samlLoginRequestUrl } from '../../platform/identity/samlServiceProvider';
import { networkPolicyFor } from '../connectors/connectorInput';
import { type ApiDeps } from '../deps';
import { oidcRedirectUri, publicBaseUrl, samlAcsUrl, samlEntityId, SSO_STATE_COOKIE } from './ssoUrls';
import { SsoRefusal } from './ssoRefusal';

/**
 * Starts a sign-in at the connection's identity provider and answers the URL to send the browser
 * to. OIDC: a fresh state, nonce and PKCE verifier, kept server-side; the browser also gets a
 * cookie bound to the state, so a callback it did not start is refused. SAML: an AuthnRequest whose
 * id the response must answer (InResponseTo), the state as RelayState.
 */
export async function beginSsoLogin(
  deps: ApiDeps,
  ctx: { req: Request; res: Response },
  login: { connection: IdentityConnectionRow; purpose: 'sign_in' | 'test'; nextPath?: string; loginHint?: string; requestedBy?: string },
): Promise<{ url: URL; loginStateId: string }> {
  const { connection } = login;
  if (!connection.enabled) throw new SsoRefusal('CONNECTION_DISABLED', 'This sign-in method is turned off.', 403);
  const base = publicBaseUrl(deps.config, ctx.req);
  const ttlMs = durationMs(deps.config.SSO_LOGIN_TIMEOUT);
  const tenantId = connection.tenant_id;
  if (connection.type === 'oidc') {
    const config = connection.config as OidcConnectionConfig;
    const secret = await deps.db.withTenant(tenantId, (trx) => openConnectionSecret(trx, deps.vault, connection));
    const policy = await networkPolicyFor(deps, tenantId);
    let configuration;
    try {
      configuration = await discoverOidc(config, secret, { policy, clockSkewSeconds: durationMs(deps.config.SSO_CLOCK_SKEW) / 1000 });
    } catch (error) {
      deps.logger.warn({ err: error, connectionId: connection.id }, 'OIDC discovery failed');
      throw new SsoRefusal('IDP_UNREACHABLE', `The identity provider's discovery document could not be read (${(error as Error).message}).`, 502);
    }
    const nonce = openidClient.randomNonce();
    const codeVerifier = openidClient.randomPKCECodeVerifier();
    const { state, id: loginStateId } = await deps.db.withTenant(tenantId, (trx) =>
      createLoginState(trx, {
        tenant_id: tenantId,
        connection_id: connection.id,
        purpose: login.purpose,
        nonce,
        code_verifier: codeVerifier,
        next_path: login.nextPath ?? null,
        requested_by: login.requestedBy ?? null,
        ttlMs,
      }),
    );
    const secure = deps.config.SESSION_COOKIE_SECURE ? '; Secure' : '';
    ctx.res.append(
      'Set-Cookie',
      `${SSO_STATE_COOKIE}=${stateBinding(state)}; Path=/v1/auth/sso; Max-Age=${Math.round(ttlMs / 1000)}; HttpOnly; SameSite=Lax${secure}`,
    );
    const url = await authorizationUrl(configuration, {
      redirectUri: oidcRedirectUri(base),
      scopes: config.scopes,
      state,
      nonce,
      codeVerifier,
      loginHint: login.loginHint,
    });
    return { url, loginStateId };
  }
  const request = samlLoginRequestUrl(connection, { entityId: samlEntityId(base, connection.id), acsUrl: samlAcsUrl(base, connection.id) });
  const { state, id: loginStateId } = await deps.db.withTenant(tenantId, (trx) =>
    createLoginState(trx, {
      tenant_id: tenantId,
      connection_id: connection.id,
      purpose: login.purpose,
      saml_request_id: request.id,
      next_path: login.nextPath ?? null,
      requested_by: login.requestedBy ?? null,
      ttlMs,
    }),
  );
  const url = new URL(request.url);
  url.searchParams.set('RelayState', state);
  return { url, loginStateId };
}

/** What the state cookie holds: a hash of the state (the state itself travels in the URL). */
export function stateBinding(state: string): string {
  return createHash('sha256').update(`hub-sso-state:${state}`).digest('base64url');
}
