import { type Agent as HttpAgent } from 'node:http';
import { type Agent as HttpsAgent } from 'node:https';
import { type Dispatcher } from 'undici';
import { type z } from 'zod';
import { type Logger } from '../platform/logger';

/**
 * The Connector contract: what the hub needs from an external system. A connector is one folder
 * under connectors/ exporting a {@link ConnectorDefinition}, plus one line in registry.ts.
 *
 * Connectors do I/O only through the official client library of the system, configured with the
 * guarded network of the {@link ConnectorContext} (SSRF checks, time and size bounds), and report
 * failures as the classified errors of ./errors.ts.
 */

/** One stream (object type) a connector reads, e.g. Salesforce `Account`, FHIR `Patient`. */
export interface StreamDefinition {
  name: string;
  /** Field of the source record that identifies it (becomes `externalId`). */
  primaryKey: string;
  /** Field that orders changes for incremental reads (e.g. `SystemModstamp`, `meta.lastUpdated`). */
  cursorField: string;
  /** The source reports deletions (tombstones or a deleted-records endpoint). */
  supportsDeletes: boolean;
  /** `write()` accepts records of this stream. */
  writable: boolean;
  description?: string;
}

/** One record as read from the source. */
export interface ConnectorRecord {
  /** The source's id (primary key value) as a string. */
  externalId: string;
  /** When the source last changed it (ISO 8601), when known. */
  sourceUpdatedAt: string | null;
  /** The source reports it deleted. */
  deleted?: boolean;
  /** The record as the source represents it (JSON). */
  data: Record<string, unknown>;
}

/**
 * A page of a stream. `nextCursor` is opaque to the engine (connectors usually JSON-encode their
 * position); the engine stores it with the records of the page and passes it back unchanged.
 * `done` means the stream has nothing more right now; the cursor then marks where the next
 * incremental run starts.
 */
export interface ReadPageResult {
  records: ConnectorRecord[];
  nextCursor: string | null;
  done: boolean;
}

/** Result of `write()`: per-record outcome, in input order. */
export interface WriteResult {
  /** `data`: what the system answered for the record, when the caller needs it (e.g. a scan's finding). */
  results: Array<{ externalId?: string; ok: boolean; created?: boolean; error?: string; data?: Record<string, unknown> }>;
}

/** How much of a tenant's system's answers a connector reads (CONNECTOR_MAX_RESPONSE_BYTES, CONNECTOR_MAX_LINE_BYTES). */
export interface ResponseLimits {
  /** Largest response body, on every transport. */
  maxResponseBytes: number;
  /** Longest line of a streamed line-delimited file (FHIR Bulk NDJSON). */
  maxLineBytes: number;
}

/** Outbound network access for connectors: guarded against SSRF, bounded in time and size. */
export interface GuardedNetwork {
  /**
   * fetch() whose connections refuse private/loopback/link-local/metadata addresses (unless allowed),
   * re-checked on every redirect; bodies past `maxResponseBytes` (default `limits.maxResponseBytes`)
   * fail with a ConfigError `RESPONSE_TOO_LARGE` when read.
   */
  fetch(url: string | URL, init?: RequestInit & { maxResponseBytes?: number; timeoutMs?: number }): Promise<Response>;
  /** Agents with the same connect-time address check and response bound, for client libraries built on node:http(s). */
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
  /**
   * undici dispatcher with the same connect-time check and response bound (counted decompressed),
   * for client libraries that call the global fetch() and accept request options (`dispatcher`),
   * e.g. fhir-kit-client. Unlike `fetch` above it does not re-check redirect targets' URLs: pass
   * `redirect: 'manual'`.
   */
  dispatcher?: Dispatcher;
  /** The bounds this network applies; connectors that stream (Bulk NDJSON) or size their own clients read them here. */
  limits: ResponseLimits;
  /** Throws a ConfigError when a tenant-supplied URL may not be used (scheme, host). */
  assertAllowedUrl(url: string): void;
  /** True when HUB_ALLOW_PRIVATE_NETWORK is on (development and tests). */
  allowPrivateNetwork: boolean;
}

/** What a connector instance is created with. */
export interface ConnectorContext<Config, Credentials> {
  tenantId: string;
  connectorId: string;
  config: Config;
  /** Decrypted credentials; never log them. */
  credentials: Credentials;
  /**
   * Persists rotated credentials (encrypted) before they are used, e.g. QuickBooks' single-use
   * refresh tokens or a refreshed Salesforce access token. Resolves once stored.
   */
  updateCredentials(next: Credentials): Promise<void>;
  /**
   * Reads the connector's current credentials from the vault (another process may have rotated
   * them since this instance was created). Use inside withConnectorLock before refreshing.
   */
  loadCredentials(): Promise<Credentials>;
  /**
   * Runs `fn` while holding a lock named `key` for this connector across every worker process
   * (a Postgres advisory lock), so that e.g. two concurrent token refreshes never race:
   * `withConnectorLock('oauth', async () => { const current = await loadCredentials(); … })`.
   */
  withConnectorLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  network: GuardedNetwork;
  logger: Logger;
  /** Aborted when the calling activity is cancelled. */
  signal?: AbortSignal;
  /** Records liveness of long calls (Bulk $export polling) with progress details. */
  heartbeat?(details?: unknown): void;
}

/** A connector bound to one tenant's configuration and credentials. */
export interface ConnectorInstance {
  /** Checks credentials and reachability; resolves with details, or throws a classified error. */
  testConnection(): Promise<{ details: Record<string, unknown> }>;
  /** Reads one page of `stream` after `cursor` (null: from the beginning). */
  readPage(stream: string, cursor: string | null, pageSize: number): Promise<ReadPageResult>;
  /** Writes records where the system accepts writes (idempotently: upsert by external id, or request ids). */
  write?(stream: string, records: Array<Record<string, unknown>>): Promise<WriteResult>;
  /** Releases clients and timers. */
  close?(): Promise<void>;
}

/** A connector type. */
export interface ConnectorDefinition<ConfigSchema extends z.ZodType = z.ZodType, CredentialsSchema extends z.ZodType = z.ZodType> {
  /** Registry key, e.g. `salesforce`. */
  type: string;
  displayName: string;
  configSchema: ConfigSchema;
  credentialsSchema: CredentialsSchema;
  /** The streams it offers (for OData, derived from the configured entity sets). */
  streams(config: z.infer<ConfigSchema>): StreamDefinition[];
  /** Config fields holding URLs the tenant supplied (checked by the SSRF guard on registration and use). */
  urlFields: ReadonlyArray<string>;
  create(context: ConnectorContext<z.infer<ConfigSchema>, z.infer<CredentialsSchema>>): ConnectorInstance;
}

/** Identity helper that keeps a definition's schema types. */
export function defineConnector<C extends z.ZodType, K extends z.ZodType>(definition: ConnectorDefinition<C, K>): ConnectorDefinition<C, K> {
  return definition;
}
