import { AsyncLocalStorage } from 'node:async_hooks';
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { type IncomingHttpHeaders } from 'node:http';
import { type Duplex } from 'node:stream';
import { Agent, buildConnector, type Dispatcher, fetch as undiciFetch, interceptors } from 'undici';
import { inCidrs, isIpLiteral, isPublicAddress, isReservedHostName, stripBrackets } from './addressPolicy';

/** A tenant-supplied URL or address the hub refuses to use. */
export class ForbiddenDestinationError extends Error {
  readonly code = 'EFORBIDDENDESTINATION';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenDestinationError';
  }
}

/**
 * A response (or one line of a streamed file) larger than the hub reads: the read stops at the
 * limit and fails, never buffering the rest. `limitName` is the setting that raises it.
 */
export class ResponseTooLargeError extends Error {
  readonly code = 'ERESPONSETOOLARGE';
  constructor(
    readonly limitBytes: number,
    readonly limitName?: string,
    what = 'response',
  ) {
    super(`${what} exceeds the limit of ${limitBytes} bytes${limitName ? ` (${limitName})` : ''}`);
    this.name = 'ResponseTooLargeError';
  }
}

/** The ResponseTooLargeError behind `error`, when libraries wrapped it (`cause`, stripe's `detail`/`exception`). */
export function responseTooLargeIn(error: unknown): ResponseTooLargeError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 6; depth += 1) {
    if (current instanceof ResponseTooLargeError) return current;
    const wrapper = current as { cause?: unknown; detail?: unknown; exception?: unknown };
    current = wrapper.cause ?? wrapper.detail ?? wrapper.exception;
  }
  return undefined;
}

export interface NetworkPolicy {
  /** Allow loopback/private destinations and plain http (HUB_ALLOW_PRIVATE_NETWORK, dev and tests only). */
  allowPrivateNetwork: boolean;
  /** Allow plain http to allowed destinations (default: as allowPrivateNetwork). */
  allowInsecureHttp?: boolean;
  /** Non-public ranges tenants may still reach (HUB_NETWORK_ALLOWLIST), e.g. an on-premises ERP over a VPN. */
  allowedCidrs?: readonly string[];
}

/** The policy's verdict on one resolved or literal address. */
export function addressAllowed(address: string, policy: NetworkPolicy): boolean {
  return policy.allowPrivateNetwork || isPublicAddress(address) || inCidrs(address, policy.allowedCidrs ?? []);
}

/** Throws when a tenant-supplied URL may not be used: scheme, credentials, reserved names, private IP literals. */
export function assertAllowedUrl(raw: string, policy: NetworkPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ForbiddenDestinationError(`not a valid URL: ${raw}`);
  }
  const allowedProtocols = (policy.allowInsecureHttp ?? policy.allowPrivateNetwork) ? ['https:', 'http:'] : ['https:'];
  if (!allowedProtocols.includes(url.protocol)) {
    throw new ForbiddenDestinationError(`${url.protocol.replace(':', '')} is not allowed; use https`);
  }
  if (url.username || url.password) throw new ForbiddenDestinationError('URLs may not carry credentials; use the credentials field');
  if (policy.allowPrivateNetwork) return url;
  // The WHATWG parser already normalised 2130706433, 0x7f.1 and [::ffff:127.0.0.1] to canonical IPs.
  const host = stripBrackets(url.hostname);
  if (isReservedHostName(host)) throw new ForbiddenDestinationError(`${host} is a reserved host name`);
  if (isIpLiteral(host) && !addressAllowed(host, policy)) throw new ForbiddenDestinationError(`${host} is not a public address`);
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * dns.lookup that refuses names resolving to non-public addresses. Every resolved address must be
 * public (one bad record refuses the name), which also defeats DNS answers mixing addresses.
 */
export function guardedLookup(policy: NetworkPolicy) {
  return (hostname: string, options: LookupOptions | number | undefined, callback: LookupCallback): void => {
    const lookupOptions: LookupOptions = typeof options === 'number' ? { family: options } : { ...(options ?? {}) };
    dns.lookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const list = addresses as LookupAddress[];
      if (!policy.allowPrivateNetwork) {
        const forbidden = list.find((entry) => !addressAllowed(entry.address, policy));
        if (forbidden || isReservedHostName(hostname)) {
          return callback(
            new ForbiddenDestinationError(`${hostname} resolves to ${forbidden?.address ?? 'a reserved name'}, which is not a public address`),
            '',
          );
        }
      }
      if (lookupOptions.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      return callback(null, first.address, first.family);
    });
  };
}

/** Checks IP-literal destinations, which never go through lookup. */
function assertConnectHost(host: string | undefined | null, policy: NetworkPolicy): void {
  if (!host || policy.allowPrivateNetwork) return;
  const bare = stripBrackets(host);
  if (isIpLiteral(bare) && !addressAllowed(bare, policy)) throw new ForbiddenDestinationError(`${bare} is not a public address`);
}

/**
 * Bounds every response an agent's requests receive: past `maxBytes` (counted on the socket, as
 * it arrives) the response is destroyed with a ResponseTooLargeError, which the client library
 * reports as its body error. For libraries without a size option of their own (stripe).
 */
function limitAgentResponses<A extends http.Agent>(agent: A, limit: ResponseLimit | undefined): A {
  if (!limit) return agent;
  const withRequests = agent as unknown as { addRequest(req: http.ClientRequest, options: unknown): void };
  const addRequest = withRequests.addRequest.bind(agent);
  withRequests.addRequest = (req, options) => {
    req.once('response', (res: http.IncomingMessage) => {
      const socket = res.socket;
      if (!socket) return;
      let seen = 0;
      const count = (chunk: Buffer) => {
        seen += chunk.length;
        if (seen <= limit.maxBytes) return;
        socket.off('data', count);
        res.destroy(new ResponseTooLargeError(limit.maxBytes, limit.name));
      };
      socket.on('data', count);
      res.once('close', () => socket.off('data', count));
    });
    addRequest(req, options);
  };
  return agent;
}

/** A size bound on responses, with the setting that sets it (for the error message). */
export interface ResponseLimit {
  maxBytes: number;
  name?: string;
}

/** node:http agent whose connections pass the address policy (for client libraries built on node:http). */
export function guardedHttpAgent(policy: NetworkPolicy, limit?: ResponseLimit): http.Agent {
  const agent = limitAgentResponses(new http.Agent({ keepAlive: true, lookup: guardedLookup(policy) as never }), limit);
  const create = agent.createConnection.bind(agent);
  agent.createConnection = ((options: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void) => {
    try {
      assertConnectHost(options.host ?? options.hostname, policy);
    } catch (error) {
      // With a callback the agent turns this into the request's 'error' event.
      if (callback) return void callback(error as Error, undefined as never);
      throw error;
    }
    return create(options, callback);
  }) as typeof agent.createConnection;
  return agent;
}

/** node:https agent with the same policy. */
export function guardedHttpsAgent(policy: NetworkPolicy, limit?: ResponseLimit): https.Agent {
  const agent = limitAgentResponses(new https.Agent({ keepAlive: true, lookup: guardedLookup(policy) as never }), limit);
  const create = agent.createConnection.bind(agent);
  agent.createConnection = ((options: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void) => {
    try {
      assertConnectHost(options.host ?? options.hostname, policy);
    } catch (error) {
      // With a callback the agent turns this into the request's 'error' event.
      if (callback) return void callback(error as Error, undefined as never);
      throw error;
    }
    return create(options, callback);
  }) as typeof agent.createConnection;
  return agent;
}

/** undici dispatcher with the policy at connect time. */
export function guardedDispatcher(policy: NetworkPolicy, timeouts: { connectMs: number; headersMs: number; bodyMs: number }): Agent {
  const connector = buildConnector({ lookup: guardedLookup(policy) as never, timeout: timeouts.connectMs });
  return new Agent({
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    connect: (options, callback) => {
      try {
        assertConnectHost(options.hostname, policy);
      } catch (error) {
        callback(error as Error, null);
        return;
      }
      connector(options, callback);
    },
  });
}

/**
 * The dispatcher for client libraries that buffer whole responses themselves (fhir-kit-client):
 * bodies are decompressed here (so a compressed bomb is counted by what it expands to) and
 * aborted with a ResponseTooLargeError past `limit`. Shares the agent's connections.
 */
export function boundedDispatcher(agent: Agent, limit: ResponseLimit): Dispatcher {
  return agent.compose(
    interceptors.decompress({ skipErrorResponses: false }),
    (dispatch) => (options, handler) => dispatch(options, new ResponseLimitHandler(handler, limit)),
  );
}

/** Where a bounded dispatcher reports the responses it cut short, for the call that made them. */
const limitReports = new AsyncLocalStorage<{ exceeded?: ResponseTooLargeError }>();

/**
 * Runs `fn` (which makes requests through a {@link boundedDispatcher}); when it fails after one of
 * its responses was cut at the limit, it fails with that ResponseTooLargeError. The fetch calling
 * the dispatcher may not pass the abort reason on (Node's fetch answers `TypeError: terminated`).
 */
export async function reportingResponseLimits<T>(fn: () => Promise<T>): Promise<T> {
  const report: { exceeded?: ResponseTooLargeError } = {};
  try {
    return await limitReports.run(report, fn);
  } catch (error) {
    throw report.exceeded ?? error;
  }
}

/** Passes a response through, aborting it once its (decompressed) body exceeds the limit. */
class ResponseLimitHandler implements Dispatcher.DispatchHandler {
  private seen = 0;
  private readonly report = limitReports.getStore();
  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly limit: ResponseLimit,
  ) {}

  private exceeded(controller: Dispatcher.DispatchController, declared?: number): void {
    const error = new ResponseTooLargeError(this.limit.maxBytes, this.limit.name, declared === undefined ? undefined : `response of ${declared} bytes`);
    if (this.report) this.report.exceeded = error;
    controller.abort(error);
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limit.maxBytes) {
      this.exceeded(controller, declared);
      return;
    }
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.seen += chunk.length;
    if (this.seen > this.limit.maxBytes) {
      this.exceeded(controller);
      return;
    }
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.handler.onResponseError?.(controller, error);
  }
}

export interface GuardedFetchOptions extends RequestInit {
  /** Abort the response when its body exceeds this many bytes (default: the fetch's own, 50 MiB unless set). */
  maxResponseBytes?: number;
  /** Past maxResponseBytes: fail the read (default) or end the body there, discarding the rest (webhook answers). */
  oversize?: 'fail' | 'truncate';
  /** Abort the whole exchange after this long (default 30 s). */
  timeoutMs?: number;
  /** How many redirects to follow, each re-checked (default 5; 0 returns the 3xx). */
  maxRedirects?: number;
}

const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * fetch() for tenant-supplied destinations: the URL is checked before each request, every
 * connection is checked after DNS resolution, redirects are followed manually (each target checked,
 * credentials dropped across origins), and responses are bounded in time and size.
 */
export function createGuardedFetch(
  policy: NetworkPolicy,
  dispatcher: Dispatcher = guardedDispatcher(policy, { connectMs: 10_000, headersMs: 30_000, bodyMs: 60_000 }),
  defaultLimit: ResponseLimit = { maxBytes: DEFAULT_MAX_BYTES },
) {
  return async function guardedFetch(input: string | URL, init: GuardedFetchOptions = {}): Promise<Response> {
    const { maxResponseBytes, oversize = 'fail', timeoutMs = DEFAULT_TIMEOUT_MS, maxRedirects = 5, ...requestInit } = init;
    // A per-call bound is the caller's own (named by the caller's error); the default names its setting.
    const limit: ResponseLimit = maxResponseBytes === undefined ? defaultLimit : { maxBytes: maxResponseBytes };
    const signals = [AbortSignal.timeout(timeoutMs), ...(requestInit.signal ? [requestInit.signal] : [])];
    const signal = AbortSignal.any(signals);
    let url = assertAllowedUrl(String(input), policy);
    let method = requestInit.method ?? 'GET';
    let body = requestInit.body;
    let headers = new Headers(requestInit.headers);
    for (let redirects = 0; ; redirects += 1) {
      const response = (await undiciFetch(url, {
        ...(requestInit as Record<string, unknown>),
        method,
        body: body as never,
        headers: headers as never,
        redirect: 'manual',
        signal,
        dispatcher,
      })) as unknown as Response;
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location || maxRedirects === 0) {
        return limitBody(response, limit, oversize);
      }
      if (redirects >= maxRedirects) throw new ForbiddenDestinationError(`more than ${maxRedirects} redirects`);
      await response.body?.cancel();
      const next = assertAllowedUrl(new URL(location, url).toString(), policy);
      if (next.origin !== url.origin) {
        headers = new Headers(headers);
        headers.delete('authorization');
        headers.delete('cookie');
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  };
}

/**
 * Wraps the body so reading past the limit fails (or, truncating, ends) instead of filling memory;
 * either way the rest is never read (the source is cancelled).
 */
function limitBody(response: Response, limit: ResponseLimit, oversize: 'fail' | 'truncate'): Response {
  const { maxBytes } = limit;
  const declared = Number(response.headers.get('content-length'));
  if (oversize === 'fail' && Number.isFinite(declared) && declared > maxBytes) {
    void response.body?.cancel();
    throw new ResponseTooLargeError(maxBytes, limit.name, `response of ${declared} bytes`);
  }
  if (!response.body) return response;
  let seen = 0;
  const limited = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen <= maxBytes) controller.enqueue(chunk);
        else if (oversize === 'truncate') {
          controller.enqueue(chunk.subarray(0, chunk.byteLength - (seen - maxBytes)));
          controller.terminate();
        } else controller.error(new ResponseTooLargeError(maxBytes, limit.name));
      },
    }),
  );
  return new Response(limited, { status: response.status, statusText: response.statusText, headers: response.headers });
}
