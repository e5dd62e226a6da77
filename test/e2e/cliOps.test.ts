import { randomUUID } from 'node:crypto';
import { uniqueSuffix } from '../support/hub';
import { useHub } from '../support/harness';
import { cleanEnv, exitOf, spawnEntry } from '../support/processes';

/** The `hub` CLI's tenants, connectors and usage commands against a running hub. */
describe('hub CLI: tenants, connectors, usage', () => {
  const { hub } = useHub();

  async function hubCli(env: Record<string, string>, ...args: string[]) {
    const cli = spawnEntry('cli/hub.ts', cleanEnv({ HUB_URL: hub.url, ...env }), args);
    const { code } = await exitOf(cli);
    return { code, output: cli.output().replace(/\x1b\[[0-9;]*m/g, '') };
  }

  it('creates and lists tenants with the admin token, then lists connectors, starts syncs and reads usage with the tenant key', async () => {
    const slug = `cli-${uniqueSuffix()}`;
    const created = await hubCli(
      { HUB_ADMIN_TOKEN: hub.adminToken },
      'tenants',
      'create',
      slug,
      '--name',
      'CLI Co',
      '--admin-email',
      `admin@${slug}.test`,
      '--plan',
      'professional',
      '--json',
    );
    expect(created.code).toBe(0);
    const tenant = JSON.parse(created.output.slice(created.output.indexOf('{'))) as {
      tenant: { id: string; slug: string; plan: string };
      apiKey: { key: string };
    };
    expect(tenant.tenant).toMatchObject({ slug, plan: 'professional' });
    expect(tenant.apiKey.key).toMatch(/^hub_sk_/);

    const listed = await hubCli({ HUB_ADMIN_TOKEN: hub.adminToken }, 'tenants', 'list', '--limit', '100', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.output).map((row: { slug: string }) => row.slug)).toContain(slug);
    const table = await hubCli({ HUB_ADMIN_TOKEN: hub.adminToken }, 'tenants', 'list', '--limit', '100');
    expect(table.output).toContain(slug);
    expect(table.output).toMatch(/│ id\s+│ slug\s+│ name\s+│ plan/);

    const key = tenant.apiKey.key;
    const connector = await hub.request('POST', '/v1/connectors', {
      key,
      body: { type: 'scan', name: 'Scanner', config: { endpoint: 'http://127.0.0.1:9/scan' }, credentials: { apiKey: 'k' } },
    });
    expect(connector.status).toBe(201);
    const connectors = await hubCli({ HUB_API_KEY: key }, 'connectors', 'list', '--json');
    expect(connectors.code).toBe(0);
    expect(JSON.parse(connectors.output)).toEqual([
      expect.objectContaining({ id: connector.body.connector.id, type: 'scan', name: 'Scanner', status: 'active' }),
    ]);
    const connectorsTable = await hubCli({ HUB_API_KEY: key }, 'connectors', 'list');
    expect(connectorsTable.output).toContain('Scanner');

    // An unknown connector: the API's error in one line, exit 1.
    const sync = await hubCli({ HUB_API_KEY: key }, 'connectors', 'sync', randomUUID(), '--stream', 'scans');
    expect(sync.code).toBe(1);
    expect(sync.output).toMatch(/^hub: 404 NOT_FOUND: /m);

    const usage = await hubCli({ HUB_API_KEY: key }, 'usage', '--group-by', 'endpoint', '--json');
    expect(usage.code).toBe(0);
    const report = JSON.parse(usage.output) as { groupBy: string; data: Array<{ key: string; events: number }>; quota: { limit: number } };
    expect(report.groupBy).toBe('endpoint');
    expect(report.quota.limit).toBe(50_000);
    expect(Object.fromEntries(report.data.map((row) => [row.key, row.events]))).toMatchObject({ 'GET /v1/connectors': 2, 'POST /v1/connectors': 1 });
    const usageTable = await hubCli({ HUB_API_KEY: key }, 'usage', '--group-by', 'kind');
    expect(usageTable.output).toMatch(/api_call/);
    expect(usageTable.output).toMatch(/quota \d{4}-\d{2}: \d+ of 50000 API calls used/);
  });

  it('needs the admin token for tenant administration', async () => {
    const result = await hubCli({}, 'tenants', 'list');
    expect(result.code).toBe(1);
    expect(result.output).toContain('HUB_ADMIN_TOKEN is not set');
  });
});
