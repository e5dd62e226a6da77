import QuickBooks from 'node-quickbooks';
import { type ConnectorContext } from '../types';
import { withQboTransport } from './qboTransport';
import { classifyQuickBooksError, isExpiredAccessToken } from './errors';
import { INTUIT_API_BASE, INTUIT_TOKEN_URL, type QuickBooksConfig, type QuickBooksCredentials } from './schemas';

type Callback<T> = (error: unknown, data?: T) => void;
/** A node-quickbooks method call, in callback style, on a configured client. */
export type QboCall<T> = (client: QuickBooks, callback: Callback<T>) => void;

/** Refresh this long before the stored expiry, so a token never expires mid-request. */
const EXPIRY_MARGIN_MS = 60_000;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * One connector's authenticated use of node-quickbooks. Every call goes through the guarded
 * transport; an expired access token is refreshed once and the call retried.
 *
 * Refreshing is serialised per connector across all workers (`withConnectorLock('oauth')`):
 * inside the lock the current credentials are reloaded, and if another worker already rotated them
 * they are used as they are; otherwise the refresh token (single-use at Intuit) is exchanged and the
 * new pair is stored with `updateCredentials` BEFORE it is used, so a crash never loses the only
 * valid refresh token.
 */
export class QuickBooksSession {
  private credentials: QuickBooksCredentials;
  private readonly client: QuickBooks;

  constructor(private readonly context: ConnectorContext<QuickBooksConfig, QuickBooksCredentials>) {
    this.credentials = context.credentials;
    const { config } = context;
    this.client = new QuickBooks(
      this.credentials.clientId,
      this.credentials.clientSecret,
      this.credentials.accessToken,
      false,
      config.realmId,
      false,
      false,
      String(config.minorVersion ?? 75),
      '2.0',
      this.credentials.refreshToken,
    );
    this.client.endpoint = `${(config.baseUrl ?? INTUIT_API_BASE).replace(/\/+$/, '')}/v3/company/`;
  }

  /** Runs a node-quickbooks call, refreshing the access token first when it is known to be expiring, or after a 401. */
  async call<T>(what: string, invoke: QboCall<T>): Promise<T> {
    if (this.expiresSoon(this.credentials)) await this.refresh(this.credentials.accessToken);
    const usedToken = this.credentials.accessToken;
    try {
      return await this.invoke(what, invoke);
    } catch (error) {
      if (!isExpiredAccessToken(error)) throw error;
      this.context.logger.info({ connectorId: this.context.connectorId }, 'quickbooks: access token rejected, refreshing');
      await this.refresh(usedToken);
      return this.invoke(what, invoke);
    }
  }

  /**
   * Makes sure the token is newer than `staleAccessToken`. Serialised across workers; calls the
   * token endpoint only when nobody else has rotated the credentials meanwhile.
   */
  async refresh(staleAccessToken: string): Promise<void> {
    await this.context.withConnectorLock('oauth', async () => {
      const current = await this.context.loadCredentials();
      if (current.accessToken !== staleAccessToken && !this.expiresSoon(current)) {
        this.use(current);
        return;
      }
      this.client.refreshToken = current.refreshToken;
      this.client.consumerKey = current.clientId;
      this.client.consumerSecret = current.clientSecret;
      const response = await this.invoke<{ access_token: string; refresh_token: string; expires_in?: number; x_refresh_token_expires_in?: number }>(
        'quickbooks token refresh',
        (client, callback) => client.refreshAccessToken(callback as never),
      );
      const now = Date.now();
      const next: QuickBooksCredentials = {
        ...current,
        accessToken: response.access_token,
        refreshToken: response.refresh_token,
        accessTokenExpiresAt: response.expires_in ? new Date(now + response.expires_in * 1000).toISOString() : undefined,
        refreshTokenExpiresAt: response.x_refresh_token_expires_in
          ? new Date(now + response.x_refresh_token_expires_in * 1000).toISOString()
          : current.refreshTokenExpiresAt,
      };
      // Stored before use: Intuit has already spent the old refresh token.
      await this.context.updateCredentials(next);
      this.use(next);
    });
  }

  private use(credentials: QuickBooksCredentials): void {
    this.credentials = credentials;
    this.client.token = credentials.accessToken;
    this.client.refreshToken = credentials.refreshToken;
  }

  private expiresSoon(credentials: QuickBooksCredentials): boolean {
    if (!credentials.accessTokenExpiresAt) return false;
    const expiresAt = Date.parse(credentials.accessTokenExpiresAt);
    return Number.isFinite(expiresAt) && expiresAt - EXPIRY_MARGIN_MS <= Date.now();
  }

  /** Provider error details are copied into messages; make sure none of our secrets rides along. */
  private withoutSecrets(error: unknown): unknown {
    if (!(error instanceof Error)) return error;
    const { accessToken, refreshToken, clientSecret } = this.credentials;
    for (const secret of [accessToken, refreshToken, clientSecret, this.client.token, this.client.refreshToken]) {
      if (secret && secret.length >= 8) error.message = error.message.split(secret).join('[redacted]');
    }
    return error;
  }

  private invoke<T>(what: string, invoke: QboCall<T>): Promise<T> {
    const transport = {
      network: this.context.network,
      tokenUrl: this.context.config.tokenUrl ?? INTUIT_TOKEN_URL,
      signal: this.context.signal,
      timeoutMs: REQUEST_TIMEOUT_MS,
    };
    return withQboTransport(
      transport,
      () =>
        new Promise<T>((resolve, reject) => {
          invoke(this.client, (error, data) => (error ? reject(this.withoutSecrets(classifyQuickBooksError(error, what))) : resolve(data as T)));
        }),
    );
  }
}
