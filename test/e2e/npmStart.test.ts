import { Client, Connection } from '@temporalio/client';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortInUse } from '../../platform/local/ports';
import { eventually } from '../support/eventually';
import { cleanEnv, exitOf, spawnEntry } from '../support/processes';

/**
 * `npm start` on embedded defaults, exactly as a user runs it (platform/local/start.ts in its own
 * process, nothing configured but ports and the data directory): it comes up, serves a tenant end
 * to end, stops everything on Ctrl-C, and keeps tenants and workflow history across a restart.
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

  async function startHub() {
    const child = spawnEntry('platform/local/start.ts', env);
    await eventually(() => (child.output().includes('Integration Hub is up.') ? true : child.exitCode !== null ? Promise.reject(new Error(child.output())) : undefined), 180_000, 'npm start to come up');
    return child;
  }

  async function stopHub(child: ReturnType<typeof spawnEntry>) {
    child.kill('SIGINT');
    const { code } = await exitOf(child);
    expect(code).toBe(0);
    expect(child.output()).toContain('[hub] stopped');
    for (const port of Object.values(ports)) expect(await isPortInUse('127.0.0.1', port)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }

  it('comes up, serves a tenant end to end, stops cleanly and keeps its state across a restart', async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    let hub = await startHub();
    const adminToken = JSON.parse(fs.readFileSync(path.join(dataDir, 'local-secrets.json'), 'utf8')).adminToken as string;
    expect(hub.output()).toContain(adminToken);
    expect(hub.output()).toContain(`Temporal UI  http://localhost:${ports.ui}`);

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

    await stopHub(hub);

    hub = await startHub();
    const again = await fetch(`${api}/v1/tenant`, { headers: { 'X-API-Key': apiKey.key } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { tenant: { id: string } }).tenant.id).toBe(tenant.id);
    expect(await listOnboarding()).toEqual(['tenant/acme/onboarding']);
    await stopHub(hub);
  });
});
