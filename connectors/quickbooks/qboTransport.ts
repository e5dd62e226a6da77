import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import QuickBooks from 'node-quickbooks';
import { ConfigError } from '../errors';
import { type GuardedNetwork } from '../types';

/**
 * How node-quickbooks' HTTP goes through the hub's guarded network.
 *
 * node-quickbooks 2.x sends every request with the module-level default instance of axios (there is
 * no per-client transport option), and its token refresh posts to the static `QuickBooks.TOKEN_URL`.
 * So the connector installs ONE request interceptor on that very axios instance (resolved from
 * node-quickbooks' own location), and runs each library call inside an AsyncLocalStorage scope that
 * carries the calling connector's transport. The interceptor then, per request:
 * - refuses QuickBooks requests made outside such a scope (fail closed);
 * - checks the URL with the SSRF policy and connects through the guarded http/https agents
 *   (connect-time address checks after DNS resolution);
 * - turns off redirects, environment proxies and unbounded bodies, adds a timeout and the abort signal;
 * - sends the token refresh to the connector's configured token URL (a test peer or Intuit's).
 * Requests of other axios users in the process pass through untouched.
 */
export interface QboTransport {
  network: GuardedNetwork;
  tokenUrl: string;
  signal?: AbortSignal;
  timeoutMs: number;
}

/** The parts of axios' request config the transport sets (axios is node-quickbooks' dependency, not ours). */
export interface AxiosRequestConfigLike {
  url?: string;
  headers?: Record<string, unknown>;
  httpAgent?: unknown;
  httpsAgent?: unknown;
  proxy?: false;
  maxRedirects?: number;
  maxContentLength?: number;
  maxBodyLength?: number;
  timeout?: number;
  signal?: AbortSignal;
}

interface AxiosLike {
  interceptors: { request: { use(onFulfilled: (config: AxiosRequestConfigLike) => AxiosRequestConfigLike): number } };
}

const scope = new AsyncLocalStorage<QboTransport>();
let installed = false;

/** Runs `fn` (which calls node-quickbooks) with `transport` applied to every request it makes. */
export function withQboTransport<T>(transport: QboTransport, fn: () => Promise<T>): Promise<T> {
  installInterceptor();
  return scope.run(transport, fn);
}

function installInterceptor(): void {
  if (installed) return;
  const requireFromLibrary = createRequire(require.resolve('node-quickbooks'));
  const axios = requireFromLibrary('axios') as AxiosLike;
  axios.interceptors.request.use((config) => applyTransport(config, scope.getStore()));
  installed = true;
}

function isQuickBooksRequest(config: AxiosRequestConfigLike): boolean {
  const agent = String(config.headers?.['User-Agent'] ?? '');
  return agent.startsWith('node-quickbooks') || config.url === QuickBooks.TOKEN_URL;
}

export function applyTransport(config: AxiosRequestConfigLike, transport: QboTransport | undefined): AxiosRequestConfigLike {
  if (!transport) {
    if (isQuickBooksRequest(config)) throw new ConfigError('node-quickbooks request outside a connector call (no guarded transport)', 'UNGUARDED_REQUEST');
    return config;
  }
  if (config.url === QuickBooks.TOKEN_URL) config.url = transport.tokenUrl;
  transport.network.assertAllowedUrl(String(config.url));
  config.httpAgent = transport.network.httpAgent;
  config.httpsAgent = transport.network.httpsAgent;
  config.proxy = false;
  config.maxRedirects = 0;
  // axios counts the decompressed body; the agents bound the bytes on the wire to the same limit.
  config.maxContentLength = transport.network.limits.maxResponseBytes;
  config.maxBodyLength = transport.network.limits.maxResponseBytes;
  config.timeout = transport.timeoutMs;
  if (transport.signal) config.signal = transport.signal;
  return config;
}
