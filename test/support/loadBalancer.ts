import http from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';

/** A local HTTP load balancer in front of several API processes (round robin). */
export interface LoadBalancer {
  /** Where clients send their requests. */
  url: string;
  /** The backends requests go to now (base URLs). */
  readonly backends: readonly string[];
  /** Responses each backend delivered, by base URL. */
  readonly answered: ReadonlyMap<string, number>;
  /** Requests that ended in a 502 because their backend failed after the request was sent. */
  readonly failed: number;
  add(backend: string): void;
  remove(backend: string): void;
  stop(): Promise<void>;
}

/** The response header naming the backend that answered. */
export const SERVED_BY_HEADER = 'x-served-by';
/** Errors that mean the backend never got the request: trying another one cannot run it twice. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A backend that refused a connection is skipped this long (passive health check). */
const DOWN_FOR_MS = 2_000;

/**
 * Starts a round-robin reverse proxy on 127.0.0.1 — what a Kubernetes Service or an ingress does
 * in front of the API pods. Like nginx's `proxy_next_upstream error`, a request whose backend
 * refuses the connection goes to the next one (it never arrived, so nothing runs twice), and that
 * backend is skipped for a while; a read whose reused keep-alive connection was reset goes again;
 * any other request whose backend fails after it was sent answers the client 502, because the
 * proxy cannot know whether it ran (the client decides whether to retry).
 * Bodies are buffered (test traffic is small) so a refused request can be sent again.
 */
export async function startLoadBalancer(initialBackends: readonly string[]): Promise<LoadBalancer> {
  const backends = [...initialBackends];
  const downUntil = new Map<string, number>();
  const answered = new Map<string, number>();
  let failed = 0;
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  function pick(tried: ReadonlySet<string>): string | undefined {
    const now = Date.now();
    const candidates = backends.filter((backend) => !tried.has(backend));
    const healthy = candidates.filter((backend) => (downUntil.get(backend) ?? 0) <= now);
    const pool = healthy.length > 0 ? healthy : candidates;
    if (pool.length === 0) return undefined;
    next = (next + 1) % pool.length;
    return pool[next];
  }

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tried: Set<string>, resets = 0): void {
    const backend = pick(tried);
    if (!backend) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no backend available');
      return;
    }
    tried.add(backend);
    const target = new URL(req.url ?? '/', backend);
    const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host }, agent }, (response) => {
      // Which process answered: tests check that a tenant's traffic reached every replica.
      res.writeHead(response.statusCode ?? 502, { ...response.headers, [SERVED_BY_HEADER]: backend });
      response.pipe(res);
      response.once('end', () => answered.set(backend, (answered.get(backend) ?? 0) + 1));
      response.once('error', () => res.destroy());
    });
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        // The backend died mid-response: cut the client's connection, as the backend's own would have been.
        res.destroy();
        return;
      }
      if (NOT_DELIVERED.has(error.code ?? '')) {
        downUntil.set(backend, Date.now() + DOWN_FOR_MS);
        forward(req, res, body, tried, resets);
        return;
      }
      // A kept-alive socket the backend closed as idle just as we reused it: a read goes again
      // (it may have reached a backend that died, and a read is safe to repeat; a write is not).
      if (upstream.reusedSocket && error.code === 'ECONNRESET' && IDEMPOTENT.has(req.method ?? '') && resets < 3) {
        tried.delete(backend);
        forward(req, res, body, tried, resets + 1);
        return;
      }
      failed += 1;
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`backend failed: ${error.code ?? error.message}`);
    });
    upstream.end(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => forward(req, res, Buffer.concat(chunks), new Set()));
  });
  // Longer than the clients' keep-alive, so a client never writes into a socket the proxy just closed.
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backends,
    answered,
    get failed() {
      return failed;
    },
    add(backend) {
      if (!backends.includes(backend)) backends.push(backend);
    },
    remove(backend) {
      const index = backends.indexOf(backend);
      if (index >= 0) backends.splice(index, 1);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
