import Stripe from 'stripe';
import { AuthError, ConfigError, ConnectorError, RateLimitError, retryAfterMs, TransientError } from '../errors';
import { asConfigError } from '../network';
import { defineConnector, type ConnectorContext, type ConnectorRecord, type ReadPageResult } from '../types';
import { DEFAULT_LOOKBACK_SECONDS } from '../lookback';
import { type StripeConfig, stripeConfigSchema, type StripeCredentials, stripeCredentialsSchema } from './schemas';
import { decodeStripeCursor, encodeStripeCursor, seenId, seenKey, seenWithin, type StripeCursor } from './cursor';

/** Streams and the Stripe object type their events carry. */
const STREAMS = {
  customers: { object: 'customer', supportsDeletes: true },
  invoices: { object: 'invoice', supportsDeletes: true },
  charges: { object: 'charge', supportsDeletes: false },
} as const;
type StreamName = keyof typeof STREAMS;
type Listed = { id: string; created: number; object: string; deleted?: boolean } & Record<string, unknown>;

/**
 * Stripe through the official `stripe` package, with `apiBase` overriding host, port and protocol
 * and every connection made by the guarded network's agent (SSRF-checked). The SDK's own retries
 * are off: Temporal retries, classified by the errors below.
 *
 * - Full read: the list endpoint (`limit`, `starting_after`), after noting the newest event.
 * - Incremental: the Events API from that point (`created[gte]`, `starting_after`), each traversal
 *   starting `cursorLookbackSeconds` (default 300) before the newest event already applied, with
 *   the window's applied events remembered (see StripeCursor); each changed object is re-read, so
 *   a page never carries an older snapshot than Stripe has now, and `*.deleted` events (or a 404 /
 *   `deleted: true` on re-read) become deletions.
 */
export const stripeConnector = defineConnector({
  type: 'stripe',
  displayName: 'Stripe',
  configSchema: stripeConfigSchema,
  credentialsSchema: stripeCredentialsSchema,
  urlFields: ['apiBase'],
  streams: () =>
    (Object.keys(STREAMS) as StreamName[]).map((name) => ({
      name,
      primaryKey: 'id',
      cursorField: 'created',
      supportsDeletes: STREAMS[name].supportsDeletes,
      writable: false,
      description: `Stripe ${name} (list with created/starting_after; changes from the Events API)`,
    })),
  create: (context) => new StripeInstance(context),
});

class StripeInstance {
  private readonly stripe: Stripe;

  constructor(private readonly context: ConnectorContext<StripeConfig, StripeCredentials>) {
    const base = new URL(context.config.apiBase ?? 'https://api.stripe.com');
    const http = base.protocol === 'http:';
    this.stripe = new Stripe(context.credentials.secretKey, {
      host: base.hostname,
      port: base.port || (http ? 80 : 443),
      protocol: http ? 'http' : 'https',
      httpAgent: http ? context.network.httpAgent : context.network.httpsAgent,
      maxNetworkRetries: 0,
      timeout: 60_000,
      telemetry: false,
      appInfo: { name: 'integration-hub' },
    });
  }

  async testConnection() {
    return this.call(async () => {
      const page = await this.stripe.customers.list({ limit: 1 });
      return { details: { apiBase: this.context.config.apiBase ?? 'https://api.stripe.com', livemode: page.data[0]?.livemode ?? null } };
    });
  }

  async readPage(stream: string, cursorText: string | null, pageSize: number): Promise<ReadPageResult> {
    if (!(stream in STREAMS)) throw new ConfigError(`unknown Stripe stream ${stream}`, 'UNKNOWN_STREAM');
    const name = stream as StreamName;
    const limit = Math.min(100, Math.max(1, pageSize));
    return this.call(async () => {
      const cursor = decodeStripeCursor(cursorText) ?? (await this.startFullRead());
      return cursor.phase === 'list' ? this.listPage(name, cursor, limit) : this.eventsPage(name, cursor, limit);
    });
  }

  /**
   * Notes where the Events API stands before listing (Stripe's own clock, from the Date header), so
   * changes made during the full read are caught by the next incremental read, and events of this
   * very second that the list already reflects are not replayed.
   */
  private async startFullRead(): Promise<StripeCursor> {
    const probe = await this.stripe.events.list({ limit: 1 });
    const serverDate = Date.parse(String(probe.lastResponse?.headers?.date ?? ''));
    const since = Math.floor((Number.isNaN(serverDate) ? Date.now() : serverDate) / 1000);
    const seen: string[] = [];
    let startingAfter: string | undefined;
    for (let pages = 0; pages < 20; pages += 1) {
      const page = await this.stripe.events.list({ created: { gte: since }, limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) });
      seen.push(...page.data.map((event) => seenKey(event.created, event.id)));
      if (!page.has_more || page.data.length === 0) break;
      startingAfter = page.data.at(-1)!.id;
    }
    return { v: 2, phase: 'list', eventsSince: since, newest: since, floor: since, seen };
  }

  private async listPage(stream: StreamName, cursor: StripeCursor, limit: number): Promise<ReadPageResult> {
    const params = { limit, ...(cursor.startingAfter ? { starting_after: cursor.startingAfter } : {}) };
    const page = (await this.stripe[stream].list(params)) as unknown as { data: Listed[]; has_more: boolean };
    const records = page.data.map((object) => toRecord(object, false));
    const last = page.data.at(-1);
    if (page.has_more && last) return { records, nextCursor: encodeStripeCursor({ ...cursor, startingAfter: last.id }), done: false };
    return {
      records,
      nextCursor: encodeStripeCursor({ v: 2, phase: 'events', eventsSince: cursor.eventsSince, newest: cursor.newest, floor: cursor.floor, seen: cursor.seen }),
      done: true,
    };
  }

  private async eventsPage(stream: StreamName, cursor: StripeCursor, limit: number): Promise<ReadPageResult> {
    const page = await this.stripe.events.list({
      created: { gte: cursor.eventsSince },
      limit,
      ...(cursor.startingAfter ? { starting_after: cursor.startingAfter } : {}),
    });
    const pending = [...(cursor.pending ?? [])];
    const applied = new Set([...cursor.seen, ...pending].map(seenId));
    let maxCreated = cursor.maxCreated ?? cursor.eventsSince;
    const changed = new Map<string, boolean>();
    for (const event of page.data) {
      maxCreated = Math.max(maxCreated, event.created);
      if (applied.has(event.id)) continue;
      applied.add(event.id);
      pending.push(seenKey(event.created, event.id));
      const object = event.data.object as unknown as Listed;
      if (object.object !== STREAMS[stream].object || typeof object.id !== 'string') continue;
      // Ids are never reused: one deletion event means the object is gone, whatever the order.
      changed.set(object.id, (changed.get(object.id) ?? false) || event.type.endsWith('.deleted'));
    }
    const records = await this.currentState(stream, changed);
    const last = page.data.at(-1);
    if (page.has_more && last) {
      return { records, nextCursor: encodeStripeCursor({ ...cursor, startingAfter: last.id, maxCreated, pending }), done: false };
    }
    const lookbackSeconds = this.context.config.cursorLookbackSeconds ?? DEFAULT_LOOKBACK_SECONDS.stripe;
    const floor = cursor.floor ?? cursor.eventsSince;
    const newest = Math.max(cursor.newest ?? cursor.eventsSince, maxCreated);
    const eventsSince = Math.max(floor, newest - lookbackSeconds);
    const next: StripeCursor = { v: 2, phase: 'events', eventsSince, newest, floor, seen: seenWithin([...cursor.seen, ...pending], eventsSince) };
    return { records, nextCursor: encodeStripeCursor(next), done: true };
  }

  /** Re-reads changed objects (8 at a time) so records carry Stripe's current state. */
  private async currentState(stream: StreamName, changed: Map<string, boolean>): Promise<ConnectorRecord[]> {
    const entries = [...changed.entries()];
    const records: ConnectorRecord[] = new Array(entries.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < entries.length; index = next++) {
        const [id, deletedByEvent] = entries[index]!;
        if (deletedByEvent) {
          records[index] = { externalId: id, sourceUpdatedAt: null, deleted: true, data: { id, deleted: true } };
          continue;
        }
        try {
          const object = (await this.stripe[stream].retrieve(id)) as unknown as Listed;
          records[index] = toRecord(object, object.deleted === true);
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode !== 404) throw error;
          records[index] = { externalId: id, sourceUpdatedAt: null, deleted: true, data: { id, deleted: true } };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, entries.length) }, worker));
    return records;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw classifyStripeError(error);
    }
  }
}

function toRecord(object: Listed, deleted: boolean): ConnectorRecord {
  return {
    externalId: object.id,
    sourceUpdatedAt: typeof object.created === 'number' ? new Date(object.created * 1000).toISOString() : null,
    deleted,
    data: object,
  };
}

/** Maps the stripe package's error classes onto the connector error classes. */
export function classifyStripeError(error: unknown): unknown {
  if (error instanceof ConnectorError) return error;
  // Past CONNECTOR_MAX_RESPONSE_BYTES the agent destroys the response; stripe wraps that as a connection error.
  const oversized = asConfigError(error);
  if (oversized !== error) return oversized;
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const message = `Stripe: ${error.type}${error.code ? ` ${error.code}` : ''}: ${error.message}`;
  const headers = (error.headers ?? {}) as Record<string, string | undefined>;
  switch (error.type) {
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return new AuthError(message, error.statusCode ?? error.code, { cause: error });
    case 'StripeRateLimitError':
      return new RateLimitError(message, retryAfterMs(headers['retry-after'], 2_000), error.statusCode ?? 429, { cause: error });
    case 'StripeConnectionError':
    case 'StripeAPIError':
      return new TransientError(message, error.statusCode ?? error.code, { cause: error });
    default:
      if ((error.statusCode ?? 0) >= 500) return new TransientError(message, error.statusCode, { cause: error });
      if (error.statusCode === 401) return new AuthError(message, 401, { cause: error });
      if (error.statusCode === 429) return new RateLimitError(message, retryAfterMs(headers['retry-after'], 2_000), 429, { cause: error });
      return new ConfigError(message, error.statusCode ?? error.code, { cause: error });
  }
}
