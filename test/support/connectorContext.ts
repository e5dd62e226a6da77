import { loadConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase, type Database } from '../../platform/db';
import { withAdvisoryLock } from '../../platform/locks';
import { createLogger } from '../../platform/logger';
import { createConnectorNetwork } from '../../connectors/network';
import { type ConnectorContext, type ConnectorDefinition, type ConnectorInstance, type ResponseLimits } from '../../connectors/types';

/**
 * Credentials of test connectors, as the vault would hold them: `loadCredentials` reads the latest,
 * `updateCredentials` replaces them. Shared by every connector instance of a test, so two instances
 * see each other's rotations the way two workers see the vault.
 */
export class TestCredentialStore {
  private readonly current = new Map<string, unknown>();
  /** Every updateCredentials call, in order (connectorId and the stored value). */
  readonly updates: Array<{ connectorId: string; credentials: unknown }> = [];

  set(connectorId: string, credentials: unknown): void {
    this.current.set(connectorId, structuredClone(credentials));
  }

  get<T>(connectorId: string): T {
    if (!this.current.has(connectorId)) throw new Error(`no credentials stored for ${connectorId}`);
    return structuredClone(this.current.get(connectorId)) as T;
  }

  update(connectorId: string, credentials: unknown): void {
    this.updates.push({ connectorId, credentials: structuredClone(credentials) });
    this.set(connectorId, credentials);
  }
}

export interface TestConnectorOptions<C, K> {
  definition: ConnectorDefinition;
  config: C;
  credentials: K;
  store: TestCredentialStore;
  /** Database whose advisory locks back withConnectorLock (one per simulated worker process). */
  db: Database;
  connectorId?: string;
  tenantId?: string;
  /** Policy of the guarded network; tests reach peers on 127.0.0.1, so private networking is on by default. */
  allowPrivateNetwork?: boolean;
  /** Response bounds of the guarded network (default: CONNECTOR_MAX_RESPONSE_BYTES and CONNECTOR_MAX_LINE_BYTES defaults). */
  limits?: ResponseLimits;
  heartbeat?: (details?: unknown) => void;
  signal?: AbortSignal;
}

/**
 * Builds a connector instance the way the activity runtime does, with real parts: the guarded
 * network, Postgres advisory locks for withConnectorLock, and a credential store standing in for
 * the vault. Config and credentials are parsed by the definition's schemas first.
 */
export function createTestConnector<C, K>(options: TestConnectorOptions<C, K>): { instance: ConnectorInstance; context: ConnectorContext<unknown, unknown> } {
  const tenantId = options.tenantId ?? '00000000-0000-4000-8000-000000000001';
  const connectorId = options.connectorId ?? `test-${options.definition.type}`;
  const config = options.definition.configSchema.parse(options.config);
  const credentials = options.definition.credentialsSchema.parse(options.credentials);
  if (!hasStored(options.store, connectorId)) options.store.set(connectorId, credentials);
  const network = createConnectorNetwork({ allowPrivateNetwork: options.allowPrivateNetwork ?? true }, options.limits);
  for (const field of options.definition.urlFields) {
    const value = (config as Record<string, unknown>)[field];
    if (typeof value === 'string') network.assertAllowedUrl(value);
  }
  const context: ConnectorContext<unknown, unknown> = {
    tenantId,
    connectorId,
    config,
    credentials,
    network,
    logger: createLogger({ name: 'connector-test', level: process.env.HUB_TEST_LOG_LEVEL ?? 'silent' }),
    updateCredentials: async (next) => options.store.update(connectorId, next),
    loadCredentials: async () => options.store.get(connectorId),
    withConnectorLock: (key, fn) => withAdvisoryLock(options.db, `connector/${tenantId}/${connectorId}/${key}`, fn),
    signal: options.signal,
    heartbeat: options.heartbeat,
  };
  return { instance: options.definition.create(context), context };
}

function hasStored(store: TestCredentialStore, connectorId: string): boolean {
  try {
    store.get(connectorId);
    return true;
  } catch {
    return false;
  }
}

/** A pool on the test database as the app role; each pool stands for one worker process. */
export function createTestDatabase(applicationName: string): Database {
  return createDatabase({ url: appDatabaseUrl(loadConfig()), poolMax: 3, applicationName });
}

/**
 * Reads a stream to the end, page by page, like the sync engine (with a guard against endless
 * loops). Returns every record and the final cursor.
 */
export async function readAll(instance: ConnectorInstance, stream: string, cursor: string | null, pageSize: number, maxPages = 1_000) {
  const records: Awaited<ReturnType<ConnectorInstance['readPage']>>['records'] = [];
  let position = cursor;
  let pages = 0;
  for (;;) {
    const page = await instance.readPage(stream, position, pageSize);
    records.push(...page.records);
    position = page.nextCursor;
    pages += 1;
    if (page.done) break;
    if (pages >= maxPages) throw new Error(`readAll: more than ${maxPages} pages`);
  }
  return { records, cursor: position, pages };
}

/** Runs `fn`, expecting it to reject; returns the error for assertions on its class and fields. */
export async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, but the call succeeded');
}
