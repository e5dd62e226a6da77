import { AuthError, ConfigError, type ConnectorError, errorForHttpStatus, RateLimitError, retryAfterMs, TransientError } from '../errors';
import { classifyTransportError } from '../transportErrors';
import { type ConnectorContext } from '../types';
import { type ConnectorDefinitionDocument } from './definitionSchema';
import { render, type ExpressionScope } from './expression';
import { RequestBudget } from './requestBudget';

type Credentials = Record<string, unknown>;
type Context = ConnectorContext<Record<string, unknown>, Credentials>;

/** One HTTP exchange a definition asks for, before auth. */
export interface OutgoingRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** What the engine reads from an answer. */
export interface IncomingResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; null for 304 or an empty body. */
  body: unknown;
}

const REQUEST_TIMEOUT_MS = 60_000;
const TOKEN_ANSWER_LIMIT = 1024 * 1024;

/** Client-credentials tokens by connector, kept until a minute before they expire. */
const clientCredentialTokens = new Map<string, { token: string; expiresAt: number }>();

/**
 * The HTTP side of a declarative connector: applies the definition's auth (API key, basic, bearer,
 * OAuth2 client credentials, OAuth2 refresh token with rotation), its request budget and its
 * error mapping, and sends every call through the connector context's guarded network.
 */
export class DeclarativeRequester {
  private credentials: Credentials;
  private readonly budget: RequestBudget | undefined;

  constructor(
    private readonly definition: ConnectorDefinitionDocument,
    private readonly context: Context,
  ) {
    this.credentials = context.credentials;
    this.budget = definition.rateLimit ? RequestBudget.for(context.connectorId, definition.rateLimit) : undefined;
  }

  /** The scope templates see: config and the current credentials (auth and headers only), plus `extra`. */
  scope(extra: ExpressionScope, withCredentials: boolean): ExpressionScope {
    return { config: this.context.config, ...(withCredentials ? { credentials: this.credentials } : {}), ...extra };
  }

  /** The base URL rendered from config, without a trailing slash. */
  baseUrl(): string {
    const base = render(this.definition.baseUrl, this.scope({}, false));
    if (!base) throw new ConfigError(`${this.definition.displayName}: baseUrl has no value (a config field is missing)`);
    this.context.network.assertAllowedUrl(base);
    return base.replace(/\/+$/, '');
  }

  /** Sends `request` with auth; a rejected token is refreshed once (OAuth2 refresh token) and the call repeated. */
  async send(request: OutgoingRequest): Promise<IncomingResponse> {
    await this.budget?.take();
    let response = await this.exchange(request);
    if (response.kind === 'expired' && this.definition.auth.type === 'oauth2_refresh_token') {
      await this.refreshAccessToken(true);
      response = await this.exchange(request);
    } else if (response.kind === 'expired' && this.definition.auth.type === 'oauth2_client_credentials') {
      // A cached token the server no longer accepts (expired early, revoked): fetch a new one once.
      clientCredentialTokens.delete(this.clientCredentialsKey());
      response = await this.exchange(request);
    }
    if (response.kind === 'expired') throw new AuthError(`${this.definition.displayName}: the access token was refused`, response.status);
    return response.response;
  }

  private async exchange(request: OutgoingRequest): Promise<{ kind: 'ok'; response: IncomingResponse } | { kind: 'expired'; status: number }> {
    const url = new URL(request.url);
    const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
    await this.applyAuth(url, headers);
    const what = `${this.definition.displayName}: ${request.method} ${url.pathname}`;
    let response: Response;
    let text: string;
    try {
      response = await this.context.network.fetch(url, {
        method: request.method,
        headers,
        body: request.body,
        signal: this.context.signal,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      text = await response.text();
    } catch (error) {
      throw classifyTransportError(error, what);
    }
    if (response.status === 304) return { kind: 'ok', response: { status: 304, headers: response.headers, body: null } };
    const mapped = this.mapError(response, text, what);
    if (mapped === 'expired') return { kind: 'expired', status: response.status };
    if (mapped === 'ignore') return { kind: 'ok', response: { status: response.status, headers: response.headers, body: null } };
    if (mapped) throw mapped;
    let body: unknown = null;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        throw new TransientError(`${what}: the answer is not JSON`, response.status);
      }
    }
    return { kind: 'ok', response: { status: response.status, headers: response.headers, body } };
  }

  /** The definition's error rules first (in order), then the usual HTTP meanings; undefined for success. */
  private mapError(response: Response, text: string, what: string): ConnectorError | 'expired' | 'ignore' | undefined {
    const status = response.status;
    const rule = this.definition.errors.find(
      (candidate) =>
        (candidate.status === undefined ||
          (typeof candidate.status === 'number' ? candidate.status === status : status >= candidate.status[0] && status <= candidate.status[1])) &&
        (candidate.bodyContains === undefined || text.includes(candidate.bodyContains)) &&
        (candidate.status !== undefined || candidate.bodyContains !== undefined),
    );
    const message = `${what} answered ${status}: ${text.slice(0, 300).replace(/\s+/g, ' ')}`;
    if (rule) {
      switch (rule.kind) {
        case 'expired_token':
          return 'expired';
        case 'ignore':
          return 'ignore';
        case 'auth':
          return new AuthError(message, status);
        case 'config':
          return new ConfigError(message, status);
        case 'rate_limit':
          return new RateLimitError(message, this.waitFrom(response, (rule.retryAfterSeconds ?? 30) * 1000), status);
        case 'transient':
          return new TransientError(message, status);
      }
    }
    if (status >= 200 && status < 300) return undefined;
    if (status === 401 && (this.definition.auth.type === 'oauth2_refresh_token' || this.definition.auth.type === 'oauth2_client_credentials')) return 'expired';
    if (status === 429) return new RateLimitError(message, this.waitFrom(response, 30_000), status);
    return errorForHttpStatus(status, message);
  }

  /** How long the server asked us to wait: the first Retry-After-like header, else the reset header, else `fallbackMs`. */
  private waitFrom(response: Response, fallbackMs: number): number {
    const names = this.definition.rateLimit?.retryAfterHeaders ?? ['Retry-After'];
    for (const name of names) {
      const value = response.headers.get(name);
      if (value) return retryAfterMs(value, fallbackMs);
    }
    const reset = this.definition.rateLimit?.resetHeader;
    const value = reset ? response.headers.get(reset.name) : null;
    if (reset && value) {
      if (reset.format === 'seconds') return retryAfterMs(value, fallbackMs);
      if (reset.format === 'epoch_seconds' && /^\d+$/.test(value)) return Math.max(0, Number(value) * 1000 - Date.now());
      if (reset.format === 'http_date') return retryAfterMs(value, fallbackMs);
    }
    return fallbackMs;
  }

  private async applyAuth(url: URL, headers: Record<string, string>): Promise<void> {
    const auth = this.definition.auth;
    const scope = this.scope({}, true);
    const required = (template: string, what: string): string => {
      const value = render(template, scope);
      if (value === undefined) throw new AuthError(`${this.definition.displayName}: ${what} has no value (a credentials or config field is missing)`);
      return value;
    };
    switch (auth.type) {
      case 'none':
        return;
      case 'api_key': {
        const value = required(auth.value, 'the API key');
        if (auth.in === 'header') headers[auth.name] = value;
        else url.searchParams.set(auth.name, value);
        return;
      }
      case 'basic':
        headers.Authorization = `Basic ${Buffer.from(`${required(auth.username, 'username')}:${required(auth.password, 'password')}`).toString('base64')}`;
        return;
      case 'bearer':
        headers.Authorization = `Bearer ${required(auth.token, 'the token')}`;
        return;
      case 'oauth2_client_credentials':
        headers.Authorization = `Bearer ${await this.clientCredentialsToken()}`;
        return;
      case 'oauth2_refresh_token': {
        const expiresAt = Date.parse(String(this.credentials.accessTokenExpiresAt ?? ''));
        if (
          typeof this.credentials.accessToken !== 'string' ||
          (Number.isFinite(expiresAt) && expiresAt - auth.refreshBeforeExpirySeconds * 1000 <= Date.now())
        ) {
          await this.refreshAccessToken(false);
        }
        headers.Authorization = `Bearer ${String(this.credentials.accessToken)}`;
        return;
      }
    }
  }

  private clientCredentialsKey(): string {
    const auth = this.definition.auth;
    const clientId = auth.type === 'oauth2_client_credentials' ? (render(auth.clientId, this.scope({}, true)) ?? '') : '';
    return `${this.context.tenantId}:${this.context.connectorId}:${clientId}`;
  }

  private async clientCredentialsToken(): Promise<string> {
    const auth = this.definition.auth;
    if (auth.type !== 'oauth2_client_credentials') throw new Error('not client credentials');
    const scope = this.scope({}, true);
    const key = this.clientCredentialsKey();
    const cached = clientCredentialTokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    const requestedScope = auth.scope ? render(auth.scope, scope) : undefined;
    if (requestedScope) form.scope = requestedScope;
    const answer = await this.tokenRequest(auth.tokenUrl, auth.clientId, auth.clientSecret, auth.clientAuth, form);
    const expiresIn = Number(answer.expires_in ?? 3600);
    clientCredentialTokens.set(key, { token: answer.access_token, expiresAt: Date.now() + Math.max(0, expiresIn - 60) * 1000 });
    if (clientCredentialTokens.size > 10_000) clientCredentialTokens.delete(clientCredentialTokens.keys().next().value!);
    return answer.access_token;
  }

  /**
   * Exchanges the refresh token, serialised per connector across workers: inside the connector's
   * `oauth` lock the stored credentials are read again; if another worker already rotated them
   * they are used as they are, otherwise the single-use refresh token is exchanged and the new
   * pair stored (encrypted) before the access token is used.
   */
  private async refreshAccessToken(rejected: boolean): Promise<void> {
    const auth = this.definition.auth;
    if (auth.type !== 'oauth2_refresh_token') return;
    const held = this.credentials;
    this.credentials = await this.context.withConnectorLock('oauth', async () => {
      const current = await this.context.loadCredentials();
      const expiresAt = Date.parse(String(current.accessTokenExpiresAt ?? ''));
      const rotatedElsewhere = current.refreshToken !== held.refreshToken || current.accessToken !== held.accessToken;
      const stillFresh = !Number.isFinite(expiresAt) || expiresAt - auth.refreshBeforeExpirySeconds * 1000 > Date.now();
      if (rotatedElsewhere && typeof current.accessToken === 'string' && stillFresh) return current;
      if (!rejected && !rotatedElsewhere && typeof current.accessToken === 'string' && stillFresh) return current;
      if (typeof current.refreshToken !== 'string') throw new AuthError(`${this.definition.displayName}: no refresh token to renew the access token with`);
      this.credentials = current;
      const answer = await this.tokenRequest(auth.tokenUrl, auth.clientId, auth.clientSecret, auth.clientAuth, {
        grant_type: 'refresh_token',
        refresh_token: current.refreshToken,
      });
      const next: Credentials = {
        ...current,
        accessToken: answer.access_token,
        refreshToken: typeof answer.refresh_token === 'string' && answer.refresh_token !== '' ? answer.refresh_token : current.refreshToken,
        accessTokenExpiresAt: new Date(Date.now() + Number(answer.expires_in ?? 3600) * 1000).toISOString(),
      };
      await this.context.updateCredentials(next);
      return next;
    });
  }

  private async tokenRequest(
    tokenUrlTemplate: string,
    clientIdTemplate: string,
    clientSecretTemplate: string,
    clientAuth: 'basic' | 'body',
    form: Record<string, string>,
  ): Promise<{ access_token: string; refresh_token?: string; expires_in?: number | string }> {
    const scope = this.scope({}, true);
    const tokenUrl = render(tokenUrlTemplate, scope);
    const clientId = render(clientIdTemplate, scope);
    const clientSecret = render(clientSecretTemplate, scope);
    if (!tokenUrl || !clientId || clientSecret === undefined)
      throw new AuthError(`${this.definition.displayName}: the token endpoint, client id or secret has no value`);
    this.context.network.assertAllowedUrl(tokenUrl);
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    const body = new URLSearchParams(form);
    if (clientAuth === 'basic') headers.Authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    else {
      body.set('client_id', clientId);
      body.set('client_secret', clientSecret);
    }
    const what = `${this.definition.displayName}: token endpoint`;
    let response: Response;
    let text: string;
    try {
      response = await this.context.network.fetch(tokenUrl, {
        method: 'POST',
        headers,
        body: body.toString(),
        signal: this.context.signal,
        timeoutMs: 30_000,
        maxResponseBytes: TOKEN_ANSWER_LIMIT,
      });
      text = await response.text();
    } catch (error) {
      throw classifyTransportError(error, what);
    }
    let answer: Record<string, unknown> = {};
    try {
      answer = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // classified by status below
    }
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      const code = typeof answer.error === 'string' ? answer.error : response.status;
      throw new AuthError(`${what} refused the grant (${String(code)})`, code);
    }
    if (response.status === 429) throw new RateLimitError(`${what} answered 429`, this.waitFrom(response, 30_000), 429);
    if (response.status >= 300) throw errorForHttpStatus(response.status, `${what} answered ${response.status}`);
    if (typeof answer.access_token !== 'string') throw new AuthError(`${what} answered without an access_token`);
    return answer as { access_token: string; refresh_token?: string; expires_in?: number };
  }
}
