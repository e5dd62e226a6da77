import { generateApiKey } from '../../platform/apiKeys';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/recordHistory';
import { uniqueSuffix } from '../support/hub';
import { useHub } from '../support/harness';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

describe('POST /v1/admin/tenants runs the tenantOnboarding workflow', () => {
  const { hub, owner } = useHub();

  it('creates the tenant, its admin user, an admin key that works, and an audit row', async () => {
    const slug = `acme-${uniqueSuffix()}`;
    const created = await hub.request('POST', '/v1/admin/tenants', {
      admin: true,
      body: { name: 'Acme Health', slug, plan: 'professional', adminEmail: 'Admin@Acme.test' },
    });
    expect(created.status).toBe(201);
    expect(created.body.tenant).toMatchObject({ slug, name: 'Acme Health', plan: 'professional', status: 'active' });
    expect(created.body.apiKey.key).toMatch(/^hub_sk_[0-9A-Za-z]{38}$/);
    expect(created.body.apiKey.role).toBe('admin');
    expect(created.body.workflowId).toBe(`tenant/${slug}/onboarding`);
    expect(created.body.temporalUiUrl).toContain(encodeURIComponent(`tenant/${slug}/onboarding`));

    const me = await hub.request('GET', '/v1/tenant', { key: created.body.apiKey.key });
    expect(me.status).toBe(200);
    expect(me.body.tenant.id).toBe(created.body.tenant.id);

    const bearer = await hub.request('GET', '/v1/tenant', { headers: { Authorization: `Bearer ${created.body.apiKey.key}` } });
    expect(bearer.status).toBe(200);

    const tenantId = created.body.tenant.id as string;
    const users = await owner('users').where({ tenant_id: tenantId });
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: 'Admin@Acme.test', role: 'admin', status: 'active' });
    const keys = await owner('api_keys').where({ tenant_id: tenantId });
    expect(keys).toHaveLength(1);
    // Only the prefix and the hash are stored, never the secret.
    expect(JSON.stringify(keys[0])).not.toContain(created.body.apiKey.key);
    const audit = await owner('audit_log').where({ tenant_id: tenantId });
    expect(audit.map((row) => row.action)).toEqual(['tenant.created']);
    expect(audit[0]).toMatchObject({ actor_type: 'platform_admin', target_id: tenantId, seq: '1' });
    await recordHistory(hub.temporal, created.body.workflowId, WORKFLOW_TYPES.tenantOnboarding);
  });

  it('is findable in Temporal by its search attributes', async () => {
    const tenant = await hub.createTenant();
    // Visibility is written asynchronously after the close: wait until the listing shows the closed run.
    const found = await eventually(
      async () => {
        const listed: Array<{ workflowId: string; status: string }> = [];
        for await (const execution of hub.temporal.workflow.list({ query: `TenantSlug="${tenant.slug}" AND JobKind="onboarding"` })) {
          listed.push({ workflowId: execution.workflowId, status: execution.status.name });
        }
        return listed.length > 0 && listed.every((execution) => execution.status !== 'RUNNING') ? listed : undefined;
      },
      30_000,
      'the onboarding run to be listed as closed',
    );
    expect(found).toEqual([{ workflowId: `tenant/${tenant.slug}/onboarding`, status: 'COMPLETED' }]);
    const description = await hub.temporal.workflow.getHandle(tenant.workflowId).describe();
    expect(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value])).toEqual(
      expect.arrayContaining([
        ['TenantId', tenant.id],
        ['TenantSlug', tenant.slug],
        ['JobKind', 'onboarding'],
      ]),
    );
  });

  it('answers 409 for a taken slug and creates nothing more', async () => {
    const tenant = await hub.createTenant();
    const again = await hub.request('POST', '/v1/admin/tenants', {
      admin: true,
      body: { name: 'Other', slug: tenant.slug, plan: 'starter', adminEmail: 'other@x.test' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TENANT_SLUG_TAKEN');
    const rows = await owner('tenants').where({ slug: tenant.slug });
    expect(rows).toHaveLength(1);
  });

  it('refuses invalid bodies and unknown fields with 400 naming each field', async () => {
    const response = await hub.request('POST', '/v1/admin/tenants', {
      admin: true,
      body: { name: '', slug: 'Bad Slug', plan: 'gold', adminEmail: 'nope', tenant_id: 'x' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    const paths = response.body.error.details.map((detail: { path: string }) => detail.path).sort();
    expect(paths).toEqual(['body', 'body.adminEmail', 'body.name', 'body.plan', 'body.slug']);
  });

  it('refuses a missing or wrong admin token with 401', async () => {
    const body = { name: 'X', slug: `x-${uniqueSuffix()}`, plan: 'starter', adminEmail: 'a@x.test' };
    const missing = await hub.request('POST', '/v1/admin/tenants', { body });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('UNAUTHENTICATED');
    const wrong = await hub.request('POST', '/v1/admin/tenants', { body, headers: { Authorization: 'Bearer not-the-token-not-the-token-0000' } });
    expect(wrong.status).toBe(401);
    expect(await owner('tenants').where({ slug: body.slug })).toHaveLength(0);
  });

  it('refuses unknown, malformed and tampered API keys with 401', async () => {
    const tenant = await hub.createTenant();
    const tampered = `${tenant.key.slice(0, -7)}${tenant.key.at(-7) === 'a' ? 'b' : 'a'}${tenant.key.slice(-6)}`;
    for (const key of ['hub_sk_nope', tampered, 'x'.repeat(45), generateApiKey().key]) {
      const response = await hub.request('GET', '/v1/tenant', { key });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect((await hub.request('GET', '/v1/tenant')).status).toBe(401);
  });
});
