import { PassThrough } from 'node:stream';
import { Transport } from 'jsforce/lib/transport';
import { StreamPromise } from 'jsforce/lib/util/promise';
import { type HttpRequest, type HttpRequestOptions, type HttpResponse } from 'jsforce/lib/types';
import { ConnectorError, RateLimitError, retryAfterMs, TransientError } from '../errors';
import { asConfigError } from '../network';
import { type GuardedNetwork } from '../types';

/**
 * jsforce transport over the hub's guarded network. jsforce 3 sends every HTTP call (REST, OAuth2
 * token endpoint) through `Connection#_transport` / `OAuth2#_transport`, instances of its
 * `Transport` class whose `httpRequest(req)` resolves `{statusCode, headers, body}`; its own
 * implementation (lib/request.js: node-fetch with built-in retries and redirects) is what this
 * replaces. So every connection is SSRF-checked after DNS resolution, redirects are re-checked,
 * responses are bounded (CONNECTOR_MAX_RESPONSE_BYTES: past it a ConfigError RESPONSE_TOO_LARGE), and
 * retries are Temporal's alone.
 *
 * Classification here: 429 / 503 with Retry-After → RateLimitError, other 5xx and network failures
 * → TransientError. 4xx answers go back to jsforce, which refreshes expired sessions (401
 * INVALID_SESSION_ID) and turns Salesforce error bodies into errors with `errorCode`.
 */
export class GuardedTransport extends Transport {
  constructor(
    private readonly network: GuardedNetwork,
    private readonly signal?: AbortSignal,
    private readonly timeoutMs = 120_000,
  ) {
    super();
  }

  override httpRequest(req: HttpRequest, _options?: HttpRequestOptions): StreamPromise<HttpResponse> {
    return StreamPromise.create(() => ({ stream: new PassThrough(), promise: this.send(req) }));
  }

  private async send(req: HttpRequest): Promise<HttpResponse> {
    let response: Response;
    try {
      response = await this.network.fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body as string | undefined,
        timeoutMs: this.timeoutMs,
        signal: this.signal,
      });
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw new TransientError(`Salesforce request failed: ${(error as Error).message}`, 'NETWORK', { cause: error });
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      const refused = asConfigError(error);
      if (refused !== error) throw refused; // over the size limit
      throw new TransientError(`Salesforce response interrupted: ${(error as Error).message}`, 'NETWORK', { cause: error });
    }
    if (response.status === 429 || (response.status === 503 && headers['retry-after'])) {
      throw new RateLimitError(`Salesforce answered ${response.status}`, retryAfterMs(headers['retry-after'], 30_000), response.status);
    }
    if (response.status >= 500) throw new TransientError(`Salesforce answered ${response.status}: ${body.slice(0, 200)}`, response.status);
    return { statusCode: response.status, headers, body };
  }
}
