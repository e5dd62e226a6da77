import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../../platform/local/ports';
import { type CreatedTenant, type TestHub } from './hub';
import { startLoadBalancer, type LoadBalancer } from './loadBalancer';

const projectRoot = path.resolve(__dirname, '..', '..');
/** What a process's output keeps (its tail), for error messages: a long run at info would fill memory. */
const OUTPUT_KEPT = 20_000;

/** One API or worker process of a cluster: the real entry point (`api/main.ts`, `worker/workerMain.ts`) as a child process. */
export interface HubProcess {
  role: 'api' | 'worker';
  pid: number;
  /** The API's own base URL (API processes only). */
  url?: string;
  child: ChildProcess;
  /** The tail of its stdout and stderr. */
  output(): string;
  /** SIGKILL: no drain, no shutdown hooks; resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after 20 s) and wait: requests and activities drain. */
  stop(): Promise<void>;
}

/** Several API processes behind a load balancer and several worker processes, on one Postgres, Temporal and file store. */
export interface HubCluster {
  /** The load balancer's URL: where clients send requests. */
  url: string;
  balancer: LoadBalancer;
  /** Calls the API through the balancer (as {@link TestHub.request}; `admin` sends the env's HUB_ADMIN_TOKEN). */
  request: TestHub['request'];
  /** Creates a tenant through the admin API (enterprise unless `plan` says otherwise) and answers it with its admin key. */
  createTenant: TestHub['createTenant'];
  /** Every API process started (killed ones included). */
  apis: HubProcess[];
  /** Every worker process started (killed ones included). */
  workers: HubProcess[];
  /** Starts one more API process and puts it behind the balancer. */
  addApi(): Promise<HubProcess>;
  addWorker(): Promise<HubProcess>;
  /** SIGKILLs a process (an API process leaves the balancer only when it refuses connections, as behind a real one). */
  kill(process: HubProcess): Promise<void>;
  /** Stops every process gracefully (APIs first, so their usage drains while workers still run), then the balancer. */
  stop(): Promise<void>;
}

export interface HubClusterOptions {
  /** The environment every process gets (database, Temporal, task queue, file store, secrets). */
  env: NodeJS.ProcessEnv;
  /** Added for API processes only, or for workers only. */
  apiEnv?: NodeJS.ProcessEnv;
  workerEnv?: NodeJS.ProcessEnv;
  apis: number;
  workers: number;
  startTimeoutMs?: number;
}

/**
 * Starts `workers` worker processes and `apis` API processes (all at once) with `env`, and a load
 * balancer in front of the APIs. A worker is ready when it logs `worker started` (it needs
 * LOG_LEVEL info or lower for that line), an API when its `/readyz` answers.
 */
export async function startHubCluster(options: HubClusterOptions): Promise<HubCluster> {
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const apis: HubProcess[] = [];
  const workers: HubProcess[] = [];
  let balancer: LoadBalancer | undefined;

  async function addWorker(): Promise<HubProcess> {
    const worker = spawnHubProcess('worker', { ...options.env, ...options.workerEnv });
    workers.push(worker);
    await waitUntil(worker, startTimeoutMs, () => /worker started/.test(worker.output()));
    return worker;
  }

  async function addApi(): Promise<HubProcess> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = spawnHubProcess('api', { ...options.env, ...options.apiEnv, PORT: String(port), HOST: '127.0.0.1' }, url);
    apis.push(api);
    await waitUntil(api, startTimeoutMs, () => answers(`${url}/readyz`));
    balancer?.add(url);
    return api;
  }

  try {
    await Promise.all([...Array.from({ length: options.workers }, addWorker), ...Array.from({ length: options.apis }, addApi)]);
    balancer = await startLoadBalancer(apis.map((api) => api.url!));
  } catch (error) {
    await Promise.all([...apis, ...workers].map((child) => child.kill()));
    throw error;
  }
  const started = balancer;
  const request = requestVia(started.url, String(options.env.HUB_ADMIN_TOKEN ?? ''));

  return {
    url: started.url,
    balancer: started,
    request,
    async createTenant(fields = {}): Promise<CreatedTenant> {
      const slug = fields.slug ?? `t-${randomBytes(5).toString('hex')}`;
      const response = await request('POST', '/v1/admin/tenants', {
        admin: true,
        body: { name: fields.name ?? `Tenant ${slug}`, slug, plan: fields.plan ?? 'enterprise', adminEmail: fields.adminEmail ?? `admin@${slug}.test` },
      });
      if (response.status !== 201) throw new Error(`createTenant: ${response.status} ${response.text}`);
      return { id: response.body.tenant.id, slug, key: response.body.apiKey.key, keyId: response.body.apiKey.id, workflowId: response.body.workflowId };
    },
    apis,
    workers,
    addApi,
    addWorker,
    kill: (process) => process.kill(),
    async stop() {
      await Promise.all(apis.map((api) => api.stop()));
      await Promise.all(workers.map((worker) => worker.stop()));
      await started.stop();
    },
  };
}

/** A `request` function (the test hub's) against `url`. */
export function requestVia(url: string, adminToken: string): TestHub['request'] {
  return async (method, path, options = {}) => {
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
}

function spawnHubProcess(role: 'api' | 'worker', env: NodeJS.ProcessEnv, url?: string): HubProcess {
  const entry = role === 'api' ? 'api/main.ts' : 'worker/workerMain.ts';
  // BENCH_CPU_PROF=<dir>: V8 CPU profiles of the processes (the bench's profiling switch).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(projectRoot, entry)], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    role,
    pid: child.pid!,
    url,
    child,
    output: () => output,
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitUntil(process: HubProcess, timeoutMs: number, ready: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (process.child.exitCode !== null || process.child.signalCode !== null)
      throw new Error(`${process.role} exited during start: ${process.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${process.role} not ready in ${timeoutMs / 1000} s: ${process.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
