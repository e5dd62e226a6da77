import { createHash } from 'node:crypto';
import type QuickBooks from 'node-quickbooks';
import { decodeCursor, encodeCursor } from '../cursor';
import { ConfigError } from '../errors';
import { type ConnectorContext, type ConnectorRecord, defineConnector, type ReadPageResult, type StreamDefinition, type WriteResult } from '../types';
import { DEFAULT_LOOKBACK_SECONDS, lookbackMs } from '../lookback';
import { isDeletion, planCdcPage, type QboChange, type QuickBooksCursor, quickbooksCursorSchema } from './cursor';
import { type QboCall, QuickBooksSession } from './session';
import { type QuickBooksConfig, quickbooksConfigSchema, type QuickBooksCredentials, quickbooksCredentialsSchema } from './schemas';

const STREAMS: StreamDefinition[] = [
  { name: 'Customer', primaryKey: 'Id', cursorField: 'MetaData.LastUpdatedTime', supportsDeletes: true, writable: true, description: 'Customers' },
  { name: 'Invoice', primaryKey: 'Id', cursorField: 'MetaData.LastUpdatedTime', supportsDeletes: true, writable: true, description: 'Invoices' },
  { name: 'Payment', primaryKey: 'Id', cursorField: 'MetaData.LastUpdatedTime', supportsDeletes: true, writable: false, description: 'Received payments' },
];

/** node-quickbooks' query method per stream (`select * from X … startposition n maxresults m`). */
const FINDERS = {
  Customer: 'findCustomers',
  Invoice: 'findInvoices',
  Payment: 'findPayments',
} as const satisfies Record<string, keyof QuickBooks>;
const CREATORS = { Customer: 'createCustomer', Invoice: 'createInvoice' } as const satisfies Record<string, keyof QuickBooks>;

/** Intuit's MAXRESULTS limit. */
const MAX_PAGE = 1000;
const DAY_MS = 24 * 3600_000;

/**
 * QuickBooks Online (Accounting API v3) through node-quickbooks. Full loads page with
 * `STARTPOSITION`/`MAXRESULTS` ordered by Id; increments use change data capture (`/cdc`), which
 * also reports deletions. Writes create Customers and Invoices with a `requestid` so a retried write
 * never creates twice. OAuth 2.0 tokens are refreshed under a per-connector lock (see QuickBooksSession).
 */
export const quickbooksConnector = defineConnector({
  type: 'quickbooks',
  displayName: 'QuickBooks Online',
  configSchema: quickbooksConfigSchema,
  credentialsSchema: quickbooksCredentialsSchema,
  urlFields: ['baseUrl', 'tokenUrl'],
  streams: () => STREAMS,
  create: (context) => new QuickBooksConnector(context),
});

type StreamName = keyof typeof FINDERS;

class QuickBooksConnector {
  private readonly session: QuickBooksSession;

  constructor(private readonly context: ConnectorContext<QuickBooksConfig, QuickBooksCredentials>) {
    this.session = new QuickBooksSession(context);
  }

  async testConnection(): Promise<{ details: Record<string, unknown> }> {
    const { realmId } = this.context.config;
    const info = await this.session.call<{ CompanyName?: string; Country?: string }>('quickbooks companyinfo', (client, callback) =>
      client.getCompanyInfo(realmId, callback as never),
    );
    return { details: { realmId, companyName: info.CompanyName ?? null, country: info.Country ?? null } };
  }

  async readPage(stream: string, cursor: string | null, pageSize: number): Promise<ReadPageResult> {
    const name = streamName(stream);
    const size = Math.max(1, Math.min(MAX_PAGE, Math.floor(pageSize)));
    const position = decodeCursor(quickbooksCursorSchema, cursor, 'quickbooks') ?? { mode: 'full', position: 1, startedAt: null };
    if (position.mode === 'cdc') {
      const cdcWindowMs = (this.context.config.cdcLookbackDays ?? 30) * DAY_MS;
      if (Date.parse(position.since) < Date.now() - cdcWindowMs + DAY_MS / 24) {
        // CDC cannot look back that far: reload everything (deletions in the gap are left to a full-refresh sweep).
        this.context.logger.warn(
          { connectorId: this.context.connectorId, stream, since: position.since },
          'quickbooks: cursor older than the CDC window, reloading',
        );
        return this.readFull(name, { mode: 'full', position: 1, startedAt: null }, size);
      }
      return this.readChanges(name, position, size);
    }
    return this.readFull(name, position, size);
  }

  /** How much of the CDC window each increment asks for again (the connector's lookback). */
  private overlapMs(): number {
    return lookbackMs(this.context.config.cursorLookbackSeconds, DEFAULT_LOOKBACK_SECONDS.quickbooks);
  }

  private async readFull(stream: StreamName, cursor: Extract<QuickBooksCursor, { mode: 'full' }>, size: number): Promise<ReadPageResult> {
    const finder = FINDERS[stream];
    const response = await this.session.call<{ QueryResponse?: Record<string, unknown>; time?: string }>(`quickbooks query ${stream}`, (client, callback) =>
      (client[finder] as (criteria: object, callback: unknown) => void).call(client, { asc: 'Id', offset: cursor.position, limit: size }, callback),
    );
    const rows = entitiesIn(response.QueryResponse, stream);
    const startedAt = cursor.startedAt ?? new Date(serverTime(response.time) - this.overlapMs()).toISOString();
    const records = rows.map((row) => toRecord(row));
    if (rows.length < size) {
      return { records, nextCursor: encodeCursor<QuickBooksCursor>({ mode: 'cdc', since: startedAt, seen: [] }), done: true };
    }
    return { records, nextCursor: encodeCursor<QuickBooksCursor>({ mode: 'full', position: cursor.position + rows.length, startedAt }), done: false };
  }

  private async readChanges(stream: StreamName, cursor: Extract<QuickBooksCursor, { mode: 'cdc' }>, size: number): Promise<ReadPageResult> {
    const response = await this.session.call<{ CDCResponse?: Array<{ QueryResponse?: Array<Record<string, unknown>> }>; time?: string }>(
      `quickbooks cdc ${stream}`,
      (client, callback) => client.changeDataCapture([stream], cursor.since, callback as never),
    );
    const answer = (response.CDCResponse ?? []).flatMap((part) => (part.QueryResponse ?? []).flatMap((entry) => entitiesIn(entry, stream)));
    const plan = planCdcPage(cursor, answer, serverTime(response.time), size, this.overlapMs());
    return { records: plan.changes.map((change) => toRecord(change)), nextCursor: encodeCursor<QuickBooksCursor>(plan.next), done: plan.done };
  }

  async write(stream: string, records: Array<Record<string, unknown>>): Promise<WriteResult> {
    const name = streamName(stream);
    if (!(name in CREATORS)) throw new ConfigError(`quickbooks: ${stream} is not writable (Customer and Invoice are)`, 'NOT_WRITABLE');
    const creator = CREATORS[name as keyof typeof CREATORS];
    const results: WriteResult['results'] = [];
    for (const record of records) {
      const { requestId: given, ...entity } = record;
      const requestId = typeof given === 'string' && given ? given : this.requestIdFor(name, entity);
      try {
        const created = await this.session.call<{ Id?: string }>(`quickbooks create ${name}`, ((client, callback) =>
          (client[creator] as (entity: object, callback: unknown) => void).call(client, { ...structuredClone(entity), requestId }, callback)) as QboCall<{
          Id?: string;
        }>);
        results.push({ externalId: created.Id, ok: true, created: true });
      } catch (error) {
        // A rejected record (validation fault) fails alone; auth, throttling and outages fail the batch so it is retried.
        if (error instanceof ConfigError) results.push({ ok: false, error: error.message });
        else throw error;
      }
    }
    return { results };
  }

  /** Deterministic `requestid` when the caller gave none: the same record on a retry reuses it. */
  private requestIdFor(stream: string, entity: Record<string, unknown>): string {
    const canonical = JSON.stringify(entity, Object.keys(entity).sort());
    return createHash('sha256').update(`${this.context.connectorId}\n${stream}\n${canonical}`).digest('hex').slice(0, 36);
  }
}

function streamName(stream: string): StreamName {
  if (!(stream in FINDERS)) throw new ConfigError(`quickbooks: unknown stream ${stream} (${Object.keys(FINDERS).join(', ')})`, 'UNKNOWN_STREAM');
  return stream as StreamName;
}

/** The array under the entity's key (node-quickbooks and Intuit match keys case-insensitively). */
function entitiesIn(container: Record<string, unknown> | undefined, stream: string): QboChange[] {
  if (!container) return [];
  const key = Object.keys(container).find((candidate) => candidate.toLowerCase() === stream.toLowerCase());
  const value = key ? container[key] : undefined;
  return Array.isArray(value) ? (value as QboChange[]) : [];
}

function serverTime(time: string | undefined): number {
  const parsed = Date.parse(time ?? '');
  return Number.isFinite(parsed) ? parsed : Date.now();
}

function toRecord(row: QboChange): ConnectorRecord {
  const updated = Date.parse(row.MetaData?.LastUpdatedTime ?? '');
  return {
    externalId: String(row.Id),
    sourceUpdatedAt: Number.isFinite(updated) ? new Date(updated).toISOString() : null,
    ...(isDeletion(row) ? { deleted: true } : {}),
    data: row,
  };
}
