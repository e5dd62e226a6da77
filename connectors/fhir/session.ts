import { reportingResponseLimits } from '../../platform/network/guardedNetwork';
import { ConfigError } from '../errors';
import { type ConnectorContext } from '../types';
import { classifyFhirError, failureStatus } from './errors';
import { type FhirClient, loadFhirKit } from './fhirKit';
import { type FhirConfig, type FhirCredentials } from './schemas';
import { createTokenSource, type FhirTokenSource } from './smartBackendAuth';

const REQUEST_TIMEOUT_MS = 60_000;

/** Per-request options fhir-kit-client passes to fetch. */
export interface FhirRequestOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * One connector's authenticated fhir-kit-client. Requests go through the guarded network: the
 * client's fetch uses the guarded undici dispatcher (connect-time address checks, answers bounded
 * by CONNECTOR_MAX_RESPONSE_BYTES) with redirects not followed, and a timeout. Server-supplied URLs (next links, export status) must stay on the
 * FHIR server's origin, so the bearer token is never sent elsewhere. A refused SMART token is
 * renewed once per call.
 */
export class FhirSession {
  readonly tokens: FhirTokenSource;
  readonly origin: string;
  private client: Promise<FhirClient> | null = null;

  constructor(private readonly context: ConnectorContext<FhirConfig, FhirCredentials>) {
    this.tokens = createTokenSource(context);
    this.origin = new URL(context.config.baseUrl).origin;
  }

  /** Runs `fn` with a client carrying a current token; renews a SMART token once after a 401. */
  async call<T>(what: string, fn: (client: FhirClient, options: FhirRequestOptions) => Promise<T>): Promise<T> {
    const client = await this.fhirClient();
    for (let attempt = 0; ; attempt += 1) {
      client.bearerToken = await this.tokens.token();
      try {
        // Node's fetch reports a response cut at the size limit as `terminated`: recover the reason.
        return await reportingResponseLimits(() => fn(client, { signal: this.signal() }));
      } catch (error) {
        if (attempt === 0 && failureStatus(error) === 401 && this.tokens.invalidate()) continue;
        throw classifyFhirError(error, what);
      }
    }
  }

  /** Refuses server-supplied URLs outside the FHIR server's origin (the token would go with them). */
  assertSameOrigin(url: string, what: string): string {
    this.context.network.assertAllowedUrl(url);
    if (new URL(url).origin !== this.origin)
      throw new ConfigError(`fhir: ${what} ${new URL(url).origin} is not on the server's origin ${this.origin}`, 'FOREIGN_LINK');
    return url;
  }

  signal(): AbortSignal {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return this.context.signal ? AbortSignal.any([timeout, this.context.signal]) : timeout;
  }

  private fhirClient(): Promise<FhirClient> {
    this.client ??= loadFhirKit().then(({ Client }) => {
      const dispatcher = this.context.network.dispatcher;
      if (!dispatcher) throw new ConfigError('fhir: the guarded network has no dispatcher for fhir-kit-client', 'NO_GUARDED_TRANSPORT');
      this.context.network.assertAllowedUrl(this.context.config.baseUrl);
      return new Client({
        baseUrl: this.context.config.baseUrl.replace(/\/+$/, ''),
        customHeaders: { accept: 'application/fhir+json' },
        // Passed to fetch(): the guarded dispatcher; 3xx answers are returned, not followed.
        requestOptions: { dispatcher, redirect: 'manual' } as never,
      });
    });
    return this.client;
  }
}
