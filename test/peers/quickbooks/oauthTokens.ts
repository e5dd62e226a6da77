import { randomBytes } from 'node:crypto';

export interface TokenResponse {
  token_type: 'bearer';
  access_token: string;
  refresh_token: string;
  expires_in: number;
  x_refresh_token_expires_in: number;
}

/**
 * Intuit's OAuth 2.0 token service, as far as a connector sees it: access tokens that expire,
 * refresh tokens that are single-use (each refresh answers a new one; presenting a spent one is
 * `invalid_grant`), and client authentication by HTTP Basic.
 */
export class OAuthTokens {
  private readonly access = new Map<string, number>();
  private readonly refresh = new Map<string, { spent: boolean }>();
  /** Calls to the token endpoint, successful or not. */
  calls = 0;

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
    private readonly accessTtlSeconds: number,
  ) {}

  /** A fresh token pair, as after the user connected the app. */
  issue(): TokenResponse {
    const accessToken = `qbo-at-${randomBytes(18).toString('base64url')}`;
    const refreshToken = `qbo-rt-${randomBytes(18).toString('base64url')}`;
    this.access.set(accessToken, Date.now() + this.accessTtlSeconds * 1000);
    this.refresh.set(refreshToken, { spent: false });
    return {
      token_type: 'bearer',
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: this.accessTtlSeconds,
      x_refresh_token_expires_in: 8_726_400,
    };
  }

  /** Handles `grant_type=refresh_token`; the outcome is what the endpoint answers. */
  exchange(authorization: string | undefined, form: URLSearchParams): { status: number; body: Record<string, unknown> } {
    this.calls += 1;
    const [scheme, encoded] = (authorization ?? '').split(' ');
    const [clientId, clientSecret] = Buffer.from(encoded ?? '', 'base64')
      .toString('utf8')
      .split(':');
    if (scheme?.toLowerCase() !== 'basic' || clientId !== this.clientId || clientSecret !== this.clientSecret) {
      return { status: 401, body: { error: 'invalid_client' } };
    }
    if (form.get('grant_type') !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const presented = this.refresh.get(form.get('refresh_token') ?? '');
    if (!presented || presented.spent) return { status: 400, body: { error: 'invalid_grant' } };
    presented.spent = true;
    return { status: 200, body: { ...this.issue() } };
  }

  isValidAccessToken(token: string | undefined): boolean {
    const expiresAt = token ? this.access.get(token) : undefined;
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  /** Makes every access token issued so far expired (the next API call answers 401). */
  expireAccessTokens(): void {
    for (const token of this.access.keys()) this.access.set(token, 0);
  }
}
