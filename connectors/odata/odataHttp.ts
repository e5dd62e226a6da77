import { ConfigError, errorForHttpStatus, TransientError } from '../errors';
import { asConfigError } from '../network';
import { classifyTransportError } from '../transportErrors';
import { type ConnectorContext } from '../types';
import { type ODataConfig, type ODataCredentials } from './schemas';

const TIMEOUT_MS = 60_000;

/**
 * OData requests over the guarded fetch (pages bounded by CONNECTOR_MAX_RESPONSE_BYTES): Basic or
 * Bearer authentication, OData-Version 4.0, errors
 * classified from the status (401/403 auth, 429 rate limit with Retry-After, 5xx transient) with
 * the service's `error.message` in the text.
 */
export class ODataHttp {
  private readonly origin: string;

  constructor(private readonly context: ConnectorContext<ODataConfig, ODataCredentials>) {
    this.origin = new URL(context.config.serviceUrl).origin;
  }

  async getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.get(url, { Accept: 'application/json', ...headers });
    try {
      return (await response.json()) as T;
    } catch (error) {
      const oversized = asConfigError(error);
      if (oversized !== error) throw oversized;
      throw new TransientError(`odata: unreadable JSON from ${redact(url)} (${(error as Error).message})`, 'BAD_RESPONSE', { cause: error });
    }
  }

  async getText(url: string, headers: Record<string, string> = {}): Promise<string> {
    const response = await this.get(url, headers);
    try {
      return await response.text();
    } catch (error) {
      throw classifyTransportError(error, `odata GET ${redact(url)}`);
    }
  }

  private async get(url: string, headers: Record<string, string>): Promise<Response> {
    // Credentials go to the service's own origin only (next links are server-supplied).
    if (new URL(url).origin !== this.origin) throw new ConfigError(`odata: refusing to follow ${redact(url)} outside the service origin`, 'FOREIGN_LINK');
    let response: Response;
    try {
      response = await this.context.network.fetch(url, {
        headers: { 'OData-Version': '4.0', 'OData-MaxVersion': '4.0', Authorization: this.authorization(), ...headers },
        signal: this.context.signal,
        timeoutMs: TIMEOUT_MS,
      });
    } catch (error) {
      throw classifyTransportError(error, `odata GET ${redact(url)}`);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw errorForHttpStatus(
        response.status,
        `odata GET ${redact(url)}: HTTP ${response.status} ${serviceMessage(text)}`.trim(),
        response.headers.get('retry-after'),
      );
    }
    return response;
  }

  private authorization(): string {
    const credentials = this.context.credentials;
    if ('bearerToken' in credentials) return `Bearer ${credentials.bearerToken}`;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
}

/** OData error bodies: `{ "error": { "code", "message" } }`. */
function serviceMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string | { value?: string } } };
    const message = body.error?.message;
    return typeof message === 'string' ? message : (message?.value ?? '');
  } catch {
    return text.slice(0, 200);
  }
}

/** URLs in messages keep path and query option names but not filter values. */
function redact(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
