import http from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';

/** One request a receiver got. `answered`: its response reached the socket (false: the sender went away first). */
export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
  status: number;
  answered: boolean;
}

/** What to answer the n-th request (0-based, counted per `webhook-id`). */
export type WebhookResponder = (request: { id: string; index: number; body: string }) => {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
};

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Requests of one `webhook-id`. */
  byId(id: string): ReceivedWebhook[];
  respond(responder: WebhookResponder): void;
  stop(): Promise<void>;
}

/**
 * A local webhook receiver on 127.0.0.1: records every request (headers, raw body, time) and
 * answers as the test scripts it (status, Retry-After, delay). Default: 200.
 */
export async function startWebhookReceiver(responder: WebhookResponder = () => ({ status: 200 })): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const counts = new Map<string, number>();
  let respond = responder;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const index = counts.get(id) ?? 0;
      counts.set(id, index + 1);
      const answer = respond({ id, index, body });
      const entry: ReceivedWebhook = {
        headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)])),
        body,
        receivedAt: Date.now(),
        status: answer.status,
        answered: false,
      };
      received.push(entry);
      let closed = false;
      res.once('close', () => {
        if (!res.writableFinished) closed = true;
      });
      setTimeout(() => {
        if (closed || res.destroyed || req.socket.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.headers ?? {}) });
        res.end(answer.body ?? 'ok', () => {
          entry.answered = true;
        });
      }, answer.delayMs ?? 0);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    byId: (id) => received.filter((entry) => entry.headers['webhook-id'] === id),
    respond(next) {
      respond = next;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
