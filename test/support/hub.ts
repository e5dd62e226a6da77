import { type Client, type Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import knex, { type Knex } from 'knex';
import { createApp } from '../../api/app';
import { createControlPlane, type ControlPlane } from '../../api/controlPlane';
import { loadConfig, type HubConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase, type Database } from '../../platform/db';
import { createFileStore } from '../../platform/files/createFileStore';
import { type FileStore } from '../../platform/files/fileStore';
import { createLogger } from '../../platform/logger';
import { createMetrics, type HubMetrics } from '../../platform/metrics';
import { connectTemporalClient, temporalConnectionOptions } from '../../platform/temporal/connection';
import { createHubWorker, installTemporalRuntime } from '../../worker/worker';
import { startWebhookDispatchNudger } from '../../platform/webhooks/dispatchNudger';
import { masterKeyringFromConfig } from '../../platform/vault/masterKeys';
import { createVault, type Vault } from '../../platform/vault/vault';

/** A running hub (API + worker) on the test stack, with helpers to call it. */
export interface TestHub {
  url: string;
  config: HubConfig;
  db: Database;
  temporal: Client;
  /** The vault the app and worker use (same master key). */
  vault: Vault;
  /** The file store the app and worker use. */
  files: FileStore;
  adminToken: string;
  /** The app's credential cache, limits and usage recorder (tests flush usage through it). */
  controlPlane: ControlPlane;
  /** The registry the API and the worker of this hub share (served on /metrics). */
  metrics: HubMetrics;
  /** Calls the API; `key` is sent as X-API-Key, `admin` as the admin bearer token. */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /**
   * Creates a tenant through the admin API and returns it with its admin key. The plan defaults
   * to enterprise (250 requests/s) so tests are not throttled by the starter plan's 10/s; tests of
   * plan behaviour pass the plan they need.
   */
  createTenant(overrides?: Partial<{ slug: string; name: string; plan: string; adminEmail: string }>): Promise<CreatedTenant>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  key?: string;
  admin?: boolean;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export interface CreatedTenant {
  id: string;
  slug: string;
  key: string;
  keyId: string;
  workflowId: string;
}

/** A unique lowercase suffix for slugs and task queues. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

/**
 * Boots the real app and a real worker in this test process against the run's Postgres and
 * Temporal. Each hub gets its own task queue, so test files running in parallel never execute each
 * other's workflows.
 */
export async function startTestHub(
  overrides: Record<string, string> = {},
  options: {
    logDestination?: NodeJS.WritableStream;
    /** false: the API only; the test runs the worker itself (e.g. as a child process it can kill). */
    worker?: boolean;
  } = {},
): Promise<TestHub> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.HUB_TEST_LOG_LEVEL ?? 'silent',
    TEMPORAL_TASK_QUEUE: `hub-test-${uniqueSuffix()}`,
    PORT: '0',
    // Peers listen on 127.0.0.1; tests of the SSRF guard build their own strict policy.
    HUB_ALLOW_PRIVATE_NETWORK: 'true',
    // Onboarding would give every test tenant a daily backup schedule; backup tests turn it on.
    HUB_DAILY_BACKUPS: 'false',
    ...overrides,
  });
  const logger = createLogger({ name: 'test', level: config.LOG_LEVEL, destination: options.logDestination });
  installTemporalRuntime(logger, 'ERROR');
  const db = createDatabase({ url: appDatabaseUrl(config), poolMax: config.DATABASE_POOL_MAX, applicationName: 'hub-test', logger });
  const { client, connection } = await connectTemporalClient(config);
  const bundlePath = process.env.HUB_TEST_WORKFLOW_BUNDLE;
  if (process.env.HUB_TEST_FILE_STORE === 's3' && config.HUB_FILE_STORE !== 's3') {
    throw new Error('HUB_TEST_FILE_STORE=s3 needs the S3 settings test/setup/fileStoreSetup.ts puts into process.env (run through jest)');
  }
  const files = createFileStore(config);
  // One process: the API and the worker share a registry, as in a single-process deployment.
  const metrics = createMetrics({ defaultMetrics: false });
  const inProcess = options.worker === false ? undefined : await startInProcessWorker();
  async function startInProcessWorker() {
    const nativeConnection = await NativeConnection.connect(temporalConnectionOptions(config));
    const worker = await createHubWorker({
      metrics,
      config,
      connection: nativeConnection,
      db,
      logger,
      files,
      workflowBundle: bundlePath ? { code: fs.readFileSync(bundlePath, 'utf8') } : undefined,
    });
    const nudger = startWebhookDispatchNudger({ config, url: appDatabaseUrl(config), connection: nativeConnection, logger });
    return { worker, nativeConnection, nudger, running: worker.run() };
  }

  const vault = createVault(masterKeyringFromConfig(config));
  const controlPlane = createControlPlane({ config, db, logger, metrics });
  await controlPlane.start();
  const app = createApp({ config, db, temporal: client, logger, metrics, controlPlane, files, vault });
  const server: Server = app.listen(0, '127.0.0.1');
  // The test's fetch reuses idle connections for 4 s (Node's 5 s server timeout less undici's margin):
  // an event loop stalled past both, on a loaded machine, has the server drop a socket the request
  // was just written to (ECONNRESET). A server that waits longer always lets the client close first.
  server.keepAliveTimeout = 30_000;
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adminToken = config.HUB_ADMIN_TOKEN!;

  const request: TestHub['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers['X-API-Key'] = options.key;
    if (options.admin) headers.Authorization = `Bearer ${adminToken}`;
    let body: string | Buffer | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    } else if (options.rawBody !== undefined) {
      body = options.rawBody;
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  let stopping: Promise<void> | undefined;
  return {
    url,
    config,
    db,
    temporal: client,
    vault,
    files,
    adminToken,
    controlPlane,
    metrics,
    request,
    async createTenant(fields = {}) {
      const slug = fields.slug ?? `t-${uniqueSuffix()}`;
      const response = await request('POST', '/v1/admin/tenants', {
        admin: true,
        body: { name: fields.name ?? `Tenant ${slug}`, slug, plan: fields.plan ?? 'enterprise', adminEmail: fields.adminEmail ?? `admin@${slug}.test` },
      });
      if (response.status !== 201) throw new Error(`createTenant: ${response.status} ${response.text}`);
      return { id: response.body.tenant.id, slug, key: response.body.apiKey.key, keyId: response.body.apiKey.id, workflowId: response.body.workflowId };
    },
    stop() {
      // Idempotent: a test may stop its hub early (to flush logs) before the file's teardown does.
      stopping ??= stopEverything();
      return stopping;
    },
  };

  async function stopEverything(): Promise<void> {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await controlPlane.stop();
    if (inProcess) {
      await inProcess.nudger.stop();
      inProcess.worker.shutdown();
      await inProcess.running;
      await inProcess.nativeConnection.close();
    }
    files.close?.();
    await closeQuietly(connection);
    await db.close();
  }
}

async function closeQuietly(connection: Connection): Promise<void> {
  await connection.close().catch(() => undefined);
}

/** Owner (superuser) connection to the test database, for assertions RLS would hide. */
export function ownerDb(): Knex {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run through jest (globalSetup)');
  return knex({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
}
