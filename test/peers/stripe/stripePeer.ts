import { spawn, type ChildProcess } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { ensureLocalstripe } from '../../../platform/local/localstripe';
import { freePort } from '../../../platform/local/ports';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { sendJson } from '../http';
import { type RunningPeer } from '../peer';

/**
 * The Stripe peer: localstripe (PyPI, pinned; a stateful fake of the Stripe API: customers,
 * invoices, charges, events, webhooks; billing additions in billing_extensions.py) run from
 * `.tools/` (provisioned by platform/local/provision.ts), behind a small proxy on 127.0.0.1 that
 * injects faults (429 + Retry-After, 500, latency, resets, responses lost after localstripe acted,
 * and an expired key answered with Stripe's 401 body).
 * Clients use `url` as the API base (`apiBase`) and any `sk_test_…` key.
 */
export interface StripePeerOptions {
  port: number;
  /** Customers created at start (through localstripe's own Customer class). */
  customers?: number;
}

export interface RunningStripePeer extends RunningPeer {
  /** localstripe's own address (no faults), for seeding through the API. */
  directUrl: string;
  /** Creates `count` customers in one call (seed endpoint of the launcher). */
  seedCustomers(count: number): Promise<string[]>;
  /** Makes localstripe deliver its events, signed with `secret`, to `url` (Stripe's webhook endpoint setting). */
  registerWebhook(url: string, secret: string, events?: string[]): Promise<void>;
  /** Forgets every object (localstripe's DELETE /_config/data). */
  flush(): Promise<void>;
  /** Restamps an event's `created` (unix seconds), as an event the Events API shows late. */
  restampEvent(id: string, created: number): Promise<void>;
  /** When each API request reached the proxy (ms since the epoch, in order; faulted ones too): what Stripe's rate limiter would count. */
  arrivals: number[];
}

/** The most requests that arrived within one wall-clock second, how many seconds saw any, and how many saw more than `limit`. */
export function busiestSecond(arrivals: number[], limit = Infinity): { max: number; seconds: number; over: number } {
  const perSecond = new Map<number, number>();
  for (const at of arrivals) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
  const counts = [...perSecond.values()];
  return { max: Math.max(0, ...counts), seconds: perSecond.size, over: counts.filter((count) => count > limit).length };
}

export const STRIPE_TEST_KEY = 'sk_test_hub_localstripe_key';

export async function startStripePeer(options: StripePeerOptions): Promise<RunningStripePeer> {
  const { python } = await ensureLocalstripe(() => undefined);
  const localstripePort = await freePort();
  const child = spawn(python, [path.join(__dirname, 'launch_localstripe.py'), '--port', String(localstripePort)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const directUrl = `http://127.0.0.1:${localstripePort}`;
  await waitUntilUp(directUrl, child, () => output);

  const faults = new FaultInjector();
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    proxy(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 502, { error: { type: 'api_error', message: (error as Error).message } });
    });
  });

  async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await handleFaultControl(faults, req, res)) return;
    arrivals.push(Date.now());
    const fault = await faults.before(req);
    if (fault?.kind === 'expiredToken') {
      return sendJson(res, 401, { error: { code: 'api_key_expired', message: 'Expired API Key provided: sk_test_****', type: 'invalid_request_error' } });
    }
    if (fault?.kind === 'status' && fault.body === undefined) {
      const type = fault.status === 429 ? 'rate_limit_error' : fault.status >= 500 ? 'api_error' : 'invalid_request_error';
      const body = {
        error: {
          type,
          message: fault.status === 429 ? 'Too many requests hit the API too quickly.' : 'Something went wrong on our end.',
          ...(fault.status === 429 ? { code: 'rate_limit' } : {}),
        },
      };
      return void applyGenericFault({ ...fault, body }, res);
    }
    if (fault && applyGenericFault(fault, res)) return;
    await new Promise<void>((resolve, reject) => {
      const upstream = http.request(
        `${directUrl}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: `127.0.0.1:${localstripePort}` } },
        (answer) => {
          if (fault?.kind === 'lostResponse') {
            // localstripe has done the work; the client never hears of it.
            answer.resume();
            answer.on('end', () => {
              res.socket?.destroy();
              resolve();
            });
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      req.pipe(upstream);
    });
  }

  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  const seedCustomers = async (count: number) => {
    const response = await fetch(`${directUrl}/_config/seed/customers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ count }),
    });
    if (!response.ok) throw new Error(`seeding localstripe: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { ids: string[] }).ids;
  };
  if (options.customers) await seedCustomers(options.customers);

  const config = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${directUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`localstripe ${method} ${path}: ${response.status} ${await response.text()}`);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    directUrl,
    info: { apiBase: `http://127.0.0.1:${port}`, secretKey: STRIPE_TEST_KEY },
    seedCustomers,
    registerWebhook: (url, secret, events) => config('POST', '/_config/webhooks/hub', { url, secret, ...(events ? { events } : {}) }),
    flush: () => config('DELETE', '/_config/data'),
    restampEvent: (id, created) => config('POST', `/_config/events/${encodeURIComponent(id)}/created`, { created }),
    arrivals,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      child.stdin!.end();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`localstripe exited (${child.exitCode}): ${output()}`);
    try {
      const response = await fetch(`${url}/v1/customers?limit=1`, {
        headers: { Authorization: `Bearer ${STRIPE_TEST_KEY}` },
        signal: AbortSignal.timeout(1_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`localstripe did not answer within 30 s: ${output()}`);
}
