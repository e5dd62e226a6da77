import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ensureStripeMock } from '../../../platform/local/stripeMock';
import { freePort } from '../../../platform/local/ports';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { readBody, sendJson } from '../http';
import { type RunningPeer } from '../peer';

/** One request stripe-mock answered, as the proxy saw it. */
export interface StripeMockExchange {
  method: string;
  /** The path without its query, e.g. `/v1/invoices/in_123/finalize`. */
  path: string;
  status: number;
  /** stripe-mock's error message when it refused the request (its spec validation says why). */
  error?: string;
}

export interface RunningStripeMockPeer extends RunningPeer {
  /** Every request so far, in order. */
  exchanges: StripeMockExchange[];
}

/** A test key: stripe-mock accepts any `sk_test_` key of letters and digits. */
export const STRIPE_MOCK_KEY = 'sk_test_hubStripeMock';

/**
 * Stripe's official stripe-mock (built from its Go module by platform/local/provision.ts into
 * `.tools/`): stateless, it answers fixtures but checks every request's parameters against
 * Stripe's OpenAPI spec and refuses (4xx) what the real API would. A proxy on 127.0.0.1 in front
 * records each exchange, so a test asserts that the hub's requests were all accepted.
 */
export async function startStripeMockPeer(options: { port: number }): Promise<RunningStripeMockPeer> {
  const { path: binary } = await ensureStripeMock(() => undefined);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  // Both listeners on loopback ports of their own (left alone, HTTPS takes a fixed port on every interface).
  const child = spawn(binary, ['-http-addr', `127.0.0.1:${httpPort}`, '-https-addr', `127.0.0.1:${httpsPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const directUrl = `http://127.0.0.1:${httpPort}`;
  await waitUntilUp(directUrl, child, () => output);

  const faults = new FaultInjector();
  const exchanges: StripeMockExchange[] = [];
  const server = http.createServer((req, res) => {
    proxy(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 502, { error: { type: 'api_error', message: (error as Error).message } });
    });
  });

  async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await handleFaultControl(faults, req, res)) return;
    const fault = await faults.before(req);
    if (fault && applyGenericFault(fault, res)) return;
    const body = await readBody(req);
    const answer = await fetch(`${directUrl}${req.url}`, {
      method: req.method,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    const text = await answer.text();
    const exchange: StripeMockExchange = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, status: answer.status };
    if (answer.status >= 400) exchange.error = errorMessage(text);
    exchanges.push(exchange);
    res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
  }

  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    exchanges,
    info: { apiBase: `http://127.0.0.1:${port}`, secretKey: STRIPE_MOCK_KEY },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

function errorMessage(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
  } catch {
    return text;
  }
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`stripe-mock exited (${child.exitCode}): ${output()}`);
    try {
      const response = await fetch(`${url}/v1/customers?limit=1`, {
        headers: { Authorization: `Bearer ${STRIPE_MOCK_KEY}` },
        signal: AbortSignal.timeout(1_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`stripe-mock did not answer within 30 s: ${output()}`);
}
