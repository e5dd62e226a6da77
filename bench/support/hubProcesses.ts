import { type ChildProcess } from 'node:child_process';
import { loadConfig } from '../../platform/config';
import { appDatabaseUrl } from '../../platform/db';
import { freePort } from '../../platform/local/ports';
import { type BenchContext, spawnEntry, stopChild } from '../harness';

export interface HubProcesses {
  apiUrl: string;
  /** The API process's id (for CPU sampling). */
  apiPid: number;
  adminToken: string;
  stop(): Promise<void>;
}

/**
 * Starts the real API and worker processes (npm run api / npm run worker) against the bench stack.
 * The API logs at `warn` unless `extraEnv.LOG_LEVEL` says otherwise (the figures the notes state);
 * the worker at `info`.
 */
export async function startHubProcesses(context: BenchContext, extraEnv: Record<string, string> = {}): Promise<HubProcesses> {
  const env = { ...productionDatabaseEnv(context), HOST: '127.0.0.1', NODE_ENV: 'production', ...extraEnv };
  const worker = await spawnEntry('worker/workerMain.ts', { ...env, LOG_LEVEL: 'info' }, /worker started/);
  drainOutput(worker);
  const api = await startApiProcess(context, extraEnv);
  return {
    apiUrl: api.apiUrl,
    apiPid: api.pid,
    adminToken: String(context.env.HUB_ADMIN_TOKEN),
    async stop() {
      await Promise.all([api.stop(), stopChild(worker)]);
    },
  };
}

/** Starts one more worker process (another replica polling the same task queue). */
export async function startWorkerProcess(context: BenchContext, extraEnv: Record<string, string> = {}): Promise<{ stop(): Promise<void> }> {
  const env = { ...productionDatabaseEnv(context), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'info', ...extraEnv };
  const worker = await spawnEntry('worker/workerMain.ts', env, /worker started/);
  drainOutput(worker);
  return { stop: () => stopChild(worker) };
}

/** Starts one more API process (another replica, or the same API at another log level). */
export async function startApiProcess(
  context: BenchContext,
  extraEnv: Record<string, string> = {},
): Promise<{ apiUrl: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const env = { ...productionDatabaseEnv(context), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production', ...extraEnv };
  const api = await spawnEntry('api/main.ts', env, { url: `${apiUrl}/healthz` });
  drainOutput(api);
  return { apiUrl, pid: api.pid!, stop: () => stopChild(api) };
}

/** The stack's variables as production processes take them: the app role's URL, not the owner's (which they refuse). */
export function productionDatabaseEnv(context: BenchContext): NodeJS.ProcessEnv {
  const { DATABASE_URL: _owner, ...env } = context.env;
  return { ...env, DATABASE_APP_URL: appDatabaseUrl(loadConfig(context.env)) };
}

/** From here on the child's pipes are drained, not buffered. */
function drainOutput(child: ChildProcess): void {
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
}

/** Creates a tenant through the admin API and returns its admin key. */
export async function createBenchTenant(hub: HubProcesses, slug: string, plan = 'enterprise'): Promise<{ tenantId: string; key: string }> {
  const response = await fetch(`${hub.apiUrl}/v1/admin/tenants`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${hub.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: slug, slug, plan, adminEmail: `admin@${slug}.test` }),
  });
  if (response.status !== 201) throw new Error(`tenant creation failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { tenant: { id: string }; apiKey: { key: string } };
  return { tenantId: body.tenant.id, key: body.apiKey.key };
}

/**
 * Creates `count` enterprise tenants (five at a time) and returns their admin keys. API benchmarks
 * spread load over one tenant per connection: a single tenant is capped by its plan's requests per
 * second (enterprise: 250), which would measure the rate limiter rather than the API.
 */
export async function createBenchTenants(hub: HubProcesses, prefix: string, count: number): Promise<Array<{ tenantId: string; key: string }>> {
  const tenants: Array<{ tenantId: string; key: string }> = [];
  for (let batch = 0; batch < count; batch += 5) {
    const size = Math.min(5, count - batch);
    tenants.push(...(await Promise.all(Array.from({ length: size }, (_, index) => createBenchTenant(hub, `${prefix}-${batch + index}`, 'enterprise')))));
  }
  return tenants;
}
