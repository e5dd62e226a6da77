import { importPKCS8, SignJWT } from 'jose';
import { type OAuth2 } from 'jsforce';
import { AuthError, ConfigError } from '../errors';
import { type ConnectorContext } from '../types';
import { type SalesforceConfig, type SalesforceCredentials } from './schemas';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Gets a fresh access token for refresh-token or JWT-bearer credentials, serialised per connector
 * (advisory lock `connector:<id>:oauth`) so concurrent workers refresh once: inside the lock the
 * stored credentials are re-read, and a token other than the one that just failed is used as is.
 * The new token is stored (encrypted) before it is used.
 */
export async function refreshAccessToken(
  context: ConnectorContext<SalesforceConfig, SalesforceCredentials>,
  oauth2: OAuth2,
  failedToken: string | undefined,
): Promise<string> {
  return context.withConnectorLock('oauth', async () => {
    const current = await context.loadCredentials();
    if (current.accessToken && current.accessToken !== failedToken) return current.accessToken;
    let response: { access_token: string; refresh_token?: string };
    try {
      if ('refreshToken' in current) {
        oauth2.clientId = current.clientId;
        oauth2.clientSecret = current.clientSecret;
        response = (await oauth2.refreshToken(current.refreshToken)) as typeof response;
      } else if ('privateKeyPem' in current) {
        oauth2.clientId = current.clientId;
        oauth2.clientSecret = undefined;
        response = (await oauth2.requestToken({ grant_type: JWT_BEARER, assertion: await jwtAssertion(current, context.config.loginUrl) })) as typeof response;
      } else {
        throw new AuthError('the access token was rejected and these credentials cannot get a new one (no refresh token or JWT key)', 'INVALID_SESSION_ID');
      }
    } catch (error) {
      throw classifyTokenError(error);
    }
    const next = {
      ...current,
      accessToken: response.access_token,
      ...(response.refresh_token && 'refreshToken' in current ? { refreshToken: response.refresh_token } : {}),
    };
    await context.updateCredentials(next);
    return response.access_token;
  });
}

/** RS256 JWT bearer assertion: iss = client id, sub = username, aud = login URL, 3 minutes. */
async function jwtAssertion(credentials: { clientId: string; username: string; privateKeyPem: string }, audience: string): Promise<string> {
  let key;
  try {
    key = await importPKCS8(credentials.privateKeyPem, 'RS256');
  } catch (error) {
    throw new ConfigError(`privateKeyPem is not a PKCS#8 RSA private key: ${(error as Error).message}`);
  }
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(credentials.clientId)
    .setSubject(credentials.username)
    .setAudience(audience.replace(/\/$/, ''))
    .setIssuedAt()
    .setExpirationTime('3m')
    .sign(key);
}

function classifyTokenError(error: unknown): unknown {
  const name = (error as Error)?.name ?? '';
  if (/^(invalid_grant|invalid_client|invalid_client_id|unauthorized_client|inactive_user|inactive_org)$/.test(name)) {
    return new AuthError(`Salesforce token endpoint refused the credentials: ${name}: ${(error as Error).message}`, name, { cause: error });
  }
  if (/^(unsupported_grant_type|invalid_request)$/.test(name))
    return new ConfigError(`Salesforce token endpoint: ${name}: ${(error as Error).message}`, name, { cause: error });
  return error;
}
