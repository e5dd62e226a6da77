import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/**
 * Fault injection shared by every peer. A test (or `POST /__faults` on a running peer) queues
 * faults; each matching request consumes one. Kinds:
 * - `status`: answer `status` with `body` (and `Retry-After` when `retryAfterSeconds` is set), e.g. 429 or 500;
 * - `latency`: wait `delayMs`, then serve normally;
 * - `reset`: destroy the connection without answering;
 * - `expiredToken`: answer 401 as the system does for an expired access token (the peer supplies the body);
 * - `lostResponse`: serve the request (its side effects happen), then drop the connection without
 *   answering, as when a network fails after the server committed (peers that support it: stripe);
 * - `flood`: answer 200 with a body of `bytes` bytes (1 GB in the response-limit tests), generated as
 *   the client reads it (never held in memory): `head`, then `unit` repeated; gzip-encoded on the
 *   fly with `gzip`. `progress` (when the test passes one) records how much went out.
 */
export type Fault =
  | { kind: 'status'; status: number; body?: unknown; retryAfterSeconds?: number; headers?: Record<string, string> }
  | { kind: 'latency'; delayMs: number }
  | { kind: 'reset' }
  | { kind: 'expiredToken' }
  | { kind: 'lostResponse' }
  | {
      kind: 'flood';
      bytes: number;
      contentType?: string;
      head?: string;
      /** Repeated after `head` until `bytes` (default "x": one endless line). */
      unit?: string;
      /** Send Content-Length up front (default: chunked, so only reading tells the size). */
      declareLength?: boolean;
      gzip?: boolean;
      /** Updated as the body goes out: bytes generated so far, and whether all of them were. */
      progress?: FloodProgress;
    };

/** How far a `flood` fault got before the client stopped reading. */
export interface FloodProgress {
  sent: number;
  complete: boolean;
}

export interface FaultRule {
  fault: Fault;
  /** Only requests whose `METHOD path` matches (default: all). */
  match?: RegExp;
  /** How many requests it applies to (default 1; Infinity for "until cleared"). */
  times?: number;
  /** Let this many matching requests through before the fault applies (default 0). */
  after?: number;
}

interface ActiveRule extends Required<Omit<FaultRule, 'match'>> {
  match?: RegExp;
  seen: number;
  applied: number;
}

/** The faults of one peer, and a log of every request it served (for assertions). */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  /** `METHOD path` of every request, in order. */
  readonly requests: string[] = [];
  /** Faults applied so far, by kind. */
  readonly applied: Record<string, number> = {};

  add(rule: FaultRule): void {
    this.rules.push({ fault: rule.fault, match: rule.match, times: rule.times ?? 1, after: rule.after ?? 0, seen: 0, applied: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Requests whose `METHOD path` matches. */
  count(match: RegExp): number {
    return this.requests.filter((line) => match.test(line)).length;
  }

  /**
   * Runs before a peer handles a request. Returns the fault to apply, or undefined to serve it.
   * `latency` is applied here (resolves after the delay) and reported as undefined.
   */
  async before(req: IncomingMessage): Promise<Fault | undefined> {
    const line = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    this.requests.push(line);
    for (const rule of this.rules) {
      if (rule.applied >= rule.times) continue;
      if (rule.match && !rule.match.test(line)) continue;
      rule.seen += 1;
      if (rule.seen <= rule.after) continue;
      rule.applied += 1;
      this.applied[rule.fault.kind] = (this.applied[rule.fault.kind] ?? 0) + 1;
      if (rule.fault.kind === 'latency') {
        await new Promise((resolve) => setTimeout(resolve, (rule.fault as { delayMs: number }).delayMs));
        return undefined;
      }
      return rule.fault;
    }
    return undefined;
  }
}

/**
 * Applies a `status` or `reset` fault to a raw response. Returns true when it answered (the peer
 * must stop); `expiredToken` is left to the peer, which knows its system's 401 body.
 */
export function applyGenericFault(fault: Fault, res: ServerResponse): boolean {
  if (fault.kind === 'flood') {
    void flood(fault, res);
    return true;
  }
  if (fault.kind === 'reset') {
    res.socket?.destroy();
    return true;
  }
  if (fault.kind === 'status') {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(fault.headers ?? {}) };
    if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
    res.writeHead(fault.status, headers).end(fault.body === undefined ? '' : JSON.stringify(fault.body));
    return true;
  }
  return false;
}

/**
 * Handles `POST /__faults` (body: a FaultRule with `match` as a string) and `DELETE /__faults`
 * so faults can be injected into a peer running in another process (`npm run peer`).
 */
export async function handleFaultControl(injector: FaultInjector, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!req.url?.startsWith('/__faults')) return false;
  if (req.method === 'DELETE') {
    injector.clear();
    res.writeHead(204).end();
    return true;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ requests: injector.requests.length, applied: injector.applied }));
    return true;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as FaultRule & { match?: string };
  injector.add({ ...body, match: body.match ? new RegExp(body.match) : undefined });
  res.writeHead(201).end();
  return true;
}

/** Streams a `flood` body with backpressure: each 64 KiB block is made only when the socket takes it. */
async function flood(fault: Extract<Fault, { kind: 'flood' }>, res: ServerResponse): Promise<void> {
  const progress = fault.progress ?? { sent: 0, complete: false };
  const unit = fault.unit ?? 'x';
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor(65_536 / Buffer.byteLength(unit)))));
  const head = Buffer.from(fault.head ?? '');
  async function* body() {
    if (head.length > 0) {
      progress.sent += head.length;
      yield head.subarray(0, fault.bytes);
    }
    while (progress.sent < fault.bytes) {
      const size = Math.min(block.length, fault.bytes - progress.sent);
      progress.sent += size;
      yield block.subarray(0, size);
    }
    progress.complete = true;
  }
  res.writeHead(200, {
    'Content-Type': fault.contentType ?? 'application/json',
    ...(fault.gzip ? { 'Content-Encoding': 'gzip' } : {}),
    ...(fault.declareLength && !fault.gzip ? { 'Content-Length': String(fault.bytes) } : {}),
  });
  // The client going away ends the pipeline with an error: that is the point of the fault.
  const source = Readable.from(body());
  await (fault.gzip ? pipeline(source, createGzip(), res) : pipeline(source, res)).catch(() => undefined);
}
