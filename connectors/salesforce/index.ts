import { Connection } from 'jsforce';
import { AuthError, ConfigError, ConnectorError, RateLimitError, TransientError } from '../errors';
import { DEFAULT_LOOKBACK_SECONDS, lookBack, lookbackMs } from '../lookback';
import { defineConnector, type ConnectorContext, type ConnectorRecord, type StreamDefinition } from '../types';
import { GuardedTransport } from './guardedTransport';
import { refreshAccessToken } from './salesforceAuth';
import { atOrBefore, decodeCursor, encodeCursor, soqlDateTime, salesforceTime, type SalesforceCursor } from './cursor';
import { DEFAULT_OBJECTS, salesforceConfigSchema, salesforceCredentialsSchema, type SalesforceConfig, type SalesforceCredentials } from './schemas';

type Context = ConnectorContext<SalesforceConfig, SalesforceCredentials>;
type QueryResult = { records: Array<Record<string, unknown>>; done: boolean; nextRecordsUrl?: string; totalSize: number };

/** Salesforce's window for /deleted: the last 30 days. */
const DELETED_WINDOW_MS = 29 * 86_400_000;
/** Fields cached per connector + object for this long (describe is one call per object). */
const DESCRIBE_TTL_MS = 10 * 60_000;
const describeCache = new Map<string, { fields: string[]; at: number }>();

/**
 * Salesforce through jsforce 3.10.16 (REST API).
 * - Read: SOQL `SELECT … FROM <object> WHERE SystemModstamp >= :from ORDER BY SystemModstamp, Id`
 *   via queryAll (so recycle-bin deletions arrive as IsDeleted records), paged with `queryMore`
 *   (page size from `Sforce-Query-Options: batchSize`). A new traversal starts `cursorLookbackSeconds`
 *   (default 300) before the newest SystemModstamp already read, inclusive: SystemModstamp has
 *   whole-second precision and a long transaction commits after its stamp, so changes at or just
 *   before the cursor still arrive; the records store drops the repeats by content hash. A
 *   traversal whose locator expired resumes strictly after the (SystemModstamp, Id) key of the last
 *   record read. When a result is exhausted, `/sobjects/<type>/deleted` reports hard deletes since
 *   the last run (with the same lookback; a deletion seen twice is stored once).
 * - Auth: an access token, an OAuth2 refresh token, or the JWT bearer flow (RS256 assertion signed
 *   with jose). On 401 INVALID_SESSION_ID jsforce calls our refresh function, which refreshes once
 *   per connector across workers and stores the new token before use.
 * - Write: upsert by external id (`/composite/sobjects/<type>/<field>`, 200 records per call).
 * - Network: every call goes through {@link GuardedTransport} (SSRF-guarded, bounded).
 */
export const salesforceConnector = defineConnector({
  type: 'salesforce',
  displayName: 'Salesforce',
  configSchema: salesforceConfigSchema,
  credentialsSchema: salesforceCredentialsSchema,
  urlFields: ['instanceUrl', 'loginUrl'],
  streams(config) {
    const names = [...new Set([...DEFAULT_OBJECTS, ...(config?.objects ?? [])])];
    return names.map<StreamDefinition>((name) => ({
      name,
      primaryKey: 'Id',
      cursorField: 'SystemModstamp',
      supportsDeletes: true,
      writable: true,
      description: `${name} records (SOQL over SystemModstamp; deletions via queryAll and /deleted)`,
    }));
  },
  create(context) {
    return new SalesforceInstance(context);
  },
});

class SalesforceInstance {
  private readonly conn: Connection;
  private refreshes = 0;
  private lastRefreshError: unknown;

  constructor(private readonly context: Context) {
    const { config, credentials } = context;
    const transport = new GuardedTransport(context.network, context.signal);
    const canRefresh = 'refreshToken' in credentials || 'privateKeyPem' in credentials;
    this.conn = new Connection({
      instanceUrl: config.instanceUrl.replace(/\/$/, ''),
      version: config.apiVersion,
      accessToken: credentials.accessToken,
      oauth2: { loginUrl: config.loginUrl.replace(/\/$/, ''), clientId: 'clientId' in credentials ? credentials.clientId : undefined },
      ...(canRefresh
        ? {
            refreshFn: (conn: Connection, callback: (error: Error | null | undefined, token?: string) => void) => {
              this.refresh(conn.accessToken ?? undefined).then(
                (token) => callback(undefined, token),
                (error: unknown) => {
                  this.lastRefreshError = error;
                  callback(error as Error);
                },
              );
            },
          }
        : {}),
    });
    this.conn._transport = transport;
    this.conn.oauth2._transport = transport;
  }

  private async refresh(failedToken: string | undefined): Promise<string> {
    this.refreshes += 1;
    if (this.refreshes > 3) throw new AuthError('Salesforce keeps rejecting freshly issued access tokens', 'INVALID_SESSION_ID');
    const token = await refreshAccessToken(this.context, this.conn.oauth2, failedToken);
    this.conn.accessToken = token;
    return token;
  }

  /** Obtains a token first when the credentials carry none yet (refresh or JWT without a cached token). */
  private async ensureToken(): Promise<void> {
    if (!this.conn.accessToken) await this.refresh(undefined);
  }

  async testConnection() {
    return this.call(async () => {
      await this.ensureToken();
      const limits = (await this.conn.request(`/services/data/v${this.context.config.apiVersion}/limits`)) as {
        DailyApiRequests?: { Max: number; Remaining: number };
      };
      return { details: { instanceUrl: this.conn.instanceUrl, apiVersion: this.context.config.apiVersion, dailyApiRequests: limits.DailyApiRequests ?? null } };
    });
  }

  async readPage(stream: string, cursorText: string | null, pageSize: number) {
    this.assertStream(stream);
    return this.call(async () => {
      await this.ensureToken();
      const cursor = decodeCursor(cursorText);
      const batchSize = Math.min(2000, Math.max(200, pageSize));
      const options = { headers: { 'Sforce-Query-Options': `batchSize=${batchSize}` }, autoFetch: false, maxFetch: batchSize };
      let result: QueryResult | undefined;
      const lookback = lookbackMs(this.context.config.cursorLookbackSeconds, DEFAULT_LOOKBACK_SECONDS.salesforce);
      // Within a traversal (a locator, live or expired) records at or before the key are skipped;
      // a new traversal re-reads the lookback window instead.
      let resumeAfterKey = false;
      if (cursor.locator) {
        resumeAfterKey = true;
        try {
          result = (await this.conn.queryMore(cursor.locator, { ...options, scanAll: false, responseTarget: 'QueryResult' })) as QueryResult;
        } catch (error) {
          // Locators expire (15 minutes idle); resume from the key instead.
          if ((error as { errorCode?: string }).errorCode !== 'INVALID_QUERY_LOCATOR') throw error;
        }
      }
      if (!result) {
        const fields = await this.fields(stream);
        const from = cursor.since ? (resumeAfterKey ? cursor.since : lookBack(new Date(salesforceTime(cursor.since)).toISOString(), lookback)) : null;
        const where = from ? ` WHERE SystemModstamp >= ${soqlDateTime(from)}` : '';
        const soql = `SELECT ${fields.join(', ')} FROM ${stream}${where} ORDER BY SystemModstamp, Id`;
        result = (await this.conn.query(soql, { ...options, scanAll: cursor.since !== null, responseTarget: 'QueryResult' })) as QueryResult;
      }

      const records: ConnectorRecord[] = [];
      let next: SalesforceCursor = { ...cursor, locator: result.nextRecordsUrl ? result.nextRecordsUrl.split('/').pop() : undefined };
      for (const raw of result.records) {
        const { attributes: _attributes, ...data } = raw;
        const id = String(data.Id);
        const stamp = String(data.SystemModstamp);
        if (resumeAfterKey && atOrBefore(cursor, stamp, id)) continue;
        records.push({ externalId: id, sourceUpdatedAt: new Date(salesforceTime(stamp)).toISOString(), deleted: data.IsDeleted === true, data });
        next = { ...next, since: stamp, lastId: id };
      }
      if (next.locator) return { records, nextCursor: encodeCursor(next), done: false };

      // The result is exhausted: hard deletes since the last window, then the stream is done.
      const now = Date.now();
      if (cursor.deletedSince) {
        const start = new Date(Math.max(Date.parse(cursor.deletedSince) - lookback, now - DELETED_WINDOW_MS));
        const deleted = (await this.conn.sobject(stream).deleted(start.toISOString(), new Date(now).toISOString())) as {
          deletedRecords: Array<{ id: string; deletedDate: string }>;
          latestDateCovered: string;
        };
        const seen = new Set(records.map((record) => record.externalId));
        for (const entry of deleted.deletedRecords) {
          if (seen.has(entry.id)) continue;
          records.push({
            externalId: entry.id,
            sourceUpdatedAt: new Date(salesforceTime(entry.deletedDate)).toISOString(),
            deleted: true,
            data: { Id: entry.id, IsDeleted: true },
          });
        }
        next.deletedSince = new Date(salesforceTime(deleted.latestDateCovered)).toISOString();
      } else {
        // First complete read: deletions from now on are the next runs' business (a minute of overlap for clock skew).
        next.deletedSince = new Date(now - 60_000).toISOString();
      }
      return { records, nextCursor: encodeCursor(next), done: true };
    });
  }

  async write(stream: string, records: Array<Record<string, unknown>>) {
    this.assertStream(stream);
    const field = this.context.config.upsertExternalIdField;
    return this.call(async () => {
      await this.ensureToken();
      const results: Array<{ externalId?: string; ok: boolean; created?: boolean; error?: string }> = [];
      for (let index = 0; index < records.length; index += 200) {
        const chunk = records.slice(index, index + 200);
        const saved = (await this.conn.sobject(stream).upsert(chunk as never, field, { allOrNone: false })) as unknown as Array<{
          id?: string;
          success: boolean;
          created?: boolean;
          errors?: Array<{ message: string }>;
        }>;
        saved.forEach((result, position) => {
          results.push({
            externalId: result.id ?? String(chunk[position]?.[field] ?? ''),
            ok: result.success,
            created: result.created,
            error: result.errors?.map((e) => e.message).join('; ') || undefined,
          });
        });
      }
      return { results };
    });
  }

  private assertStream(stream: string): void {
    if (!salesforceConnector.streams(this.context.config).some((definition) => definition.name === stream)) {
      throw new ConfigError(`unknown Salesforce stream ${stream}; add it to config.objects`, 'UNKNOWN_STREAM');
    }
  }

  private async fields(stream: string): Promise<string[]> {
    const key = `${this.context.connectorId}:${stream}`;
    const cached = describeCache.get(key);
    if (cached && Date.now() - cached.at < DESCRIBE_TTL_MS) return cached.fields;
    const described = (await this.conn.sobject(stream).describe()) as { fields: Array<{ name: string; type: string }> };
    // Compound fields (address, location) cannot be selected in SOQL next to their components.
    const fields = described.fields.filter((field) => field.type !== 'address' && field.type !== 'location').map((field) => field.name);
    describeCache.set(key, { fields, at: Date.now() });
    return fields;
  }

  /** Runs a jsforce call and classifies what it throws. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.classify(error);
    }
  }

  private classify(error: unknown): unknown {
    if (error instanceof ConnectorError) return error;
    if (this.lastRefreshError instanceof ConnectorError && /Unable to refresh session/.test((error as Error)?.message ?? '')) return this.lastRefreshError;
    const code = (error as { errorCode?: string })?.errorCode ?? (error as Error)?.name ?? '';
    const message = `Salesforce: ${code ? `${code}: ` : ''}${(error as Error)?.message ?? String(error)}`;
    if (/^(INVALID_SESSION_ID|INVALID_AUTH_HEADER|API_DISABLED_FOR_ORG|INVALID_LOGIN|invalid_grant)$/.test(code))
      return new AuthError(message, code, { cause: error });
    if (code === 'REQUEST_LIMIT_EXCEEDED') return new RateLimitError(message, 60_000, code, { cause: error });
    if (/^(SERVER_UNAVAILABLE|UNKNOWN_EXCEPTION|QUERY_TIMEOUT)$/.test(code) || /^ERROR_HTTP_5/.test(code))
      return new TransientError(message, code, { cause: error });
    if (
      /^(MALFORMED_QUERY|INVALID_FIELD|INVALID_TYPE|NOT_FOUND|INSUFFICIENT_ACCESS|INSUFFICIENT_ACCESS_OR_READONLY|INVALID_QUERY_FILTER_OPERATOR|INVALID_REPLICATION_DATE|ERROR_HTTP_4\d\d)$/.test(
        code,
      )
    ) {
      return new ConfigError(message, code, { cause: error });
    }
    return error;
  }
}
