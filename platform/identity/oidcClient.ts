import * as client from 'openid-client';
import { createGuardedFetch, type NetworkPolicy } from '../network/guardedNetwork';
import { type OidcConnectionConfig } from './connections';

/**
 * The client side of one OIDC connection, from the issuer's discovery document: every request the
 * library makes (discovery, JWKS, token) goes through the SSRF guard with the tenant's policy.
 * Plain http issuers are accepted only where the policy allows insecure http (development and tests).
 */
export async function discoverOidc(
  connection: OidcConnectionConfig,
  clientSecret: string | undefined,
  options: { policy: NetworkPolicy; clockSkewSeconds: number },
): Promise<client.Configuration> {
  const guardedFetch = createGuardedFetch(options.policy);
  const issuer = new URL(connection.issuer);
  const insecure = issuer.protocol === 'http:' && !!(options.policy.allowInsecureHttp ?? options.policy.allowPrivateNetwork);
  const configuration = await client.discovery(
    issuer,
    connection.clientId,
    { [client.clockTolerance]: options.clockSkewSeconds },
    clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
    {
      [client.customFetch]: (url: string, init: client.CustomFetchOptions) =>
        guardedFetch(url, {
          method: init.method,
          headers: init.headers,
          body: init.body as RequestInit['body'],
          signal: init.signal,
          maxResponseBytes: 1024 * 1024,
        }),
      execute: insecure ? [client.allowInsecureRequests] : [],
      timeout: 15,
    },
  );
  // The ID token's signature is checked against the issuer's JWKS even though it came over TLS from the token endpoint.
  client.enableNonRepudiationChecks(configuration);
  return configuration;
}

/** The authorization URL of a new sign-in (code flow, PKCE S256, state and nonce). */
export async function authorizationUrl(
  configuration: client.Configuration,
  params: { redirectUri: string; scopes: string[]; state: string; nonce: string; codeVerifier: string; loginHint?: string },
): Promise<URL> {
  return client.buildAuthorizationUrl(configuration, {
    redirect_uri: params.redirectUri,
    response_type: 'code',
    scope: [...new Set(['openid', ...params.scopes])].join(' '),
    state: params.state,
    nonce: params.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(params.codeVerifier),
    code_challenge_method: 'S256',
    ...(params.loginHint ? { login_hint: params.loginHint } : {}),
  });
}

export { client as openidClient };
