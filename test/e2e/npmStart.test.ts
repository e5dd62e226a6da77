import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortInUse } from '../../platform/local/ports';
import { parentPidOf, procStatFields } from '../../platform/local/procStat';
import { eventually } from '../support/eventually';
import { cleanEnv, exitOf, projectRoot } from '../support/processes';

/** How long the hub must outlive the shell that launched it (the 60 s would add a minute). */
const OUTLIVE_SHELL_MS = 20_000;

/**
 * `npm start` on embedded defaults, exactly as a user runs it (platform/local/start.ts in its own
 * process, nothing configured but ports and the data directory): it comes up from a shell that
 * exits at once and keeps running, serves a tenant end to end with the worker's series on the
 * API's /metrics, stops everything on SIGTERM, and on a terminal's Ctrl-C (SIGINT to its process
 * group) stops in order; tenants and workflow history survive the restart.
 */
describe('npm start (embedded defaults)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-npm-start-'));
  let ports: { api: number; pg: number; temporal: number; ui: number };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fs.chmodSync(dataDir, 0o755);
    ports = { api: await freePort(), pg: await freePort(), temporal: await freePort(), ui: await freePort() };
    env = cleanEnv({
      HUB_DATA_DIR: dataDir,
      PORT: String(ports.api),
      HUB_PG_PORT: String(ports.pg),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      TEMPORAL_UI_URL: `http://localhost:${ports.ui}`,
    });
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const isAlive = (pid: number) => parentPidOf(pid) !== undefined;
  const isEsbuild = (pid: number) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'esbuild';

  /** The hub's processes: its children the worker and API, and Postgres and Temporal (which are its children too, in groups of their own). */
  function processesOf(hubPid: number): number[] {
    const children = fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => parentPidOf(pid) === hubPid);
    const postgres = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const temporal = Number(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
    // Each leads a process group of its own (field 5 of /proc/<pid>/stat), apart from the hub's.
    for (const pid of [...children.filter((child) => procStatFields(child)?.[0] !== undefined && !isEsbuild(child)), postgres, temporal])
      expect(Number(procStatFields(pid)![2])).toBe(pid);
    return [...new Set([...children, postgres, temporal])];
  }

  async function expectAllStopped(pids: number[]) {
    for (const pid of pids) await eventually(() => (isAlive(pid) ? undefined : true), 30_000, `process ${pid} to exit`);
    for (const port of Object.values(ports)) expect(await isPortInUse('127.0.0.1', port)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }

  /** As from a terminal: `npm start &` in a shell that exits at once (no job control, no SIGHUP). */
  async function startHubFromShortLivedShell() {
    const logFile = path.join(dataDir, 'start.log');
    const shell = spawn('sh', ['-c', `node --import tsx platform/local/start.ts >"${logFile}" 2>&1 </dev/null & echo $!`], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let printed = '';
    shell.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await exitOf(shell);
    const pid = Number(printed.trim());
    const output = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
    await eventually(
      () => (output().includes('Integration Hub is up.') ? true : isAlive(pid) ? undefined : Promise.reject(new Error(output()))),
      180_000,
      'npm start to come up',
    );
    return { pid, output };
  }

  /** In a process group of its own, so that a test can Ctrl-C it as a terminal would. */
  async function startHubInItsOwnGroup() {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'platform/local/start.ts')], {
      cwd: projectRoot,
      env: { ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const hub = Object.assign(child, { output: () => output });
    await eventually(
      () => (output.includes('Integration Hub is up.') ? true : child.exitCode !== null ? Promise.reject(new Error(output)) : undefined),
      180_000,
      'npm start to come up',
    );
    return hub;
  }

  it('comes up, serves a tenant end to end, stops cleanly and keeps its state across a restart', async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    const detachedHub = await startHubFromShortLivedShell();
    const adminToken = JSON.parse(fs.readFileSync(path.join(dataDir, 'local-secrets.json'), 'utf8')).adminToken as string;
    expect(detachedHub.output()).toContain(adminToken);
    expect(detachedHub.output()).toContain(`Temporal UI  http://localhost:${ports.ui}`);
    // The launching shell is gone; the hub must not follow it.
    await new Promise((resolve) => setTimeout(resolve, OUTLIVE_SHELL_MS));
    expect(isAlive(detachedHub.pid)).toBe(true);
    expect(detachedHub.output()).not.toContain('[hub] stopping');

    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);

    const created = await fetch(`${api}/v1/admin/tenants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Acme', slug: 'acme', plan: 'starter', adminEmail: 'admin@acme.test' }),
    });
    expect(created.status).toBe(201);
    const { apiKey, tenant } = (await created.json()) as { apiKey: { key: string }; tenant: { id: string } };
    const me = await fetch(`${api}/v1/tenant`, { headers: { 'X-API-Key': apiKey.key } });
    expect(me.status).toBe(200);

    const listOnboarding = async () => {
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      try {
        const ids: string[] = [];
        for await (const execution of new Client({ connection }).workflow.list({ query: 'TenantSlug="acme"' })) ids.push(execution.workflowId);
        return ids;
      } finally {
        await connection.close();
      }
    };
    expect(await listOnboarding()).toEqual(['tenant/acme/onboarding']);

    // One /metrics: the API's series, the worker's job counters and the Temporal SDK's worker series.
    // (The SDK reports its metrics every few seconds, so the workflow's completion may show up late.)
    const metrics = await eventually(
      async () => {
        const text = await (await fetch(`${api}/metrics`)).text();
        return /^temporal_workflow_completed\{.*workflow_type="tenantOnboarding"/m.test(text) ? text : undefined;
      },
      30_000,
      "the onboarding workflow's completion on /metrics",
    );
    expect(metrics).toContain('hub_http_request_duration_seconds');
    expect(metrics).toMatch(/^temporal_worker_task_slots_available\{/m);

    // SIGTERM to the hub alone stops everything it started: no orphan is left.
    const started = processesOf(detachedHub.pid);
    expect(started.length).toBeGreaterThanOrEqual(4); // tsx's esbuild service may be one more
    process.kill(detachedHub.pid, 'SIGTERM');
    await expectAllStopped([detachedHub.pid, ...started]);
    expect(detachedHub.output()).toContain('[hub] stopped');

    const hub = await startHubInItsOwnGroup();
    const again = await fetch(`${api}/v1/tenant`, { headers: { 'X-API-Key': apiKey.key } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { tenant: { id: string } }).tenant.id).toBe(tenant.id);
    expect(await listOnboarding()).toEqual(['tenant/acme/onboarding']);

    // Ctrl-C: the terminal signals the foreground process group, which holds the hub alone; the
    // hub stops the worker and the API (their drain logged), then Temporal and Postgres.
    const restarted = processesOf(hub.pid!);
    process.kill(-hub.pid!, 'SIGINT');
    expect(await exitOf(hub)).toEqual({ code: 0, signal: null });
    await expectAllStopped(restarted);
    const output = hub.output();
    expect(output).not.toContain('administrator command');
    const stoppingServers = output.indexOf('[hub] stopping Temporal and Postgres');
    expect(stoppingServers).toBeGreaterThan(0);
    for (const line of ['"msg":"worker stopped"', '"msg":"api stopped"']) {
      expect(output).toContain(line);
      expect(output.indexOf(line)).toBeLessThan(stoppingServers);
    }
    expect(output).toContain('[hub] stopped');
  });
});
