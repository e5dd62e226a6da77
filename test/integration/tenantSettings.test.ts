import { useHub } from '../support/harness';
import { eventually } from '../support/eventually';
import { createKey } from '../support/tenantKeys';

describe('tenant profile: settings, branding, theme.css, suspension, IP allowlist', () => {
  const { hub, tenant, owner } = useHub({ env: { API_BODY_LIMIT: '8kb' }, tenants: [{}] });

  it('shows effective settings (plan defaults) and plan limits', async () => {
    const response = await hub.request('GET', '/v1/tenant', { key: tenant.key });
    expect(response.status).toBe(200);
    expect(response.body.tenant.settings).toEqual({
      limits: { maxConcurrentJobs: 20, maxJobsPerDay: 10_000, maxConcurrentSyncs: 10 },
      notifications: { emailRecipients: [], events: ['job.failed', 'sync.failed', 'connector.auth_failed', 'invoice.payment_failed'], usageAlertPercent: 80 },
      security: { ipAllowlist: [], keyMaxLifetimeDays: null, sessionIdleTimeoutMinutes: null, sessionLifetimeHours: null, mfaRequired: false },
    });
    expect(response.body.tenant.planLimits).toEqual({ requestsPerSecond: 250, apiCallsPerMonth: 200_000, quotaPolicy: 'bill_overage', includedSeats: 1_000 });
  });

  it('merges settings and branding patches, validates them strictly and audits before/after', async () => {
    const patched = await hub.request('PATCH', '/v1/tenant', {
      key: tenant.key,
      body: {
        name: 'Acme Health',
        settings: { limits: { maxConcurrentJobs: 3 }, notifications: { emailRecipients: ['ops@acme.test'], events: ['job.failed'] } },
        branding: { companyName: 'Acme "Health"', primaryColor: '#112233', logoUrl: 'https://cdn.acme.test/logo.png', customDomain: 'Portal.Acme.test' },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.tenant.name).toBe('Acme Health');
    expect(patched.body.tenant.settings.limits).toEqual({ maxConcurrentJobs: 3, maxJobsPerDay: 10_000, maxConcurrentSyncs: 10 });
    expect(patched.body.tenant.branding).toEqual({
      companyName: 'Acme "Health"',
      primaryColor: '#112233',
      logoUrl: 'https://cdn.acme.test/logo.png',
      customDomain: 'portal.acme.test',
    });

    // null removes a field; other sections stay.
    const removed = await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { settings: { limits: { maxConcurrentJobs: null } } } });
    expect(removed.body.tenant.settings.limits.maxConcurrentJobs).toBe(20);
    expect(removed.body.tenant.settings.notifications.emailRecipients).toEqual(['ops@acme.test']);

    const audit = await owner('audit_log').where({ tenant_id: tenant.id, action: 'tenant.updated' }).orderBy('seq');
    expect(audit).toHaveLength(2);
    expect(audit[0].details.before).toMatchObject({ name: `Tenant ${tenant.slug}`, settings: {}, branding: {} });
    expect(audit[0].details.after.settings.limits).toEqual({ maxConcurrentJobs: 3 });
    expect(audit[1].details).toEqual({
      before: { settings: expect.objectContaining({ limits: { maxConcurrentJobs: 3 } }) },
      after: { settings: expect.objectContaining({ limits: {} }) },
    });
    expect(audit[0]).toMatchObject({ actor_type: 'api_key', actor_id: tenant.keyId, actor_role: 'admin' });
    expect(audit[0].request_id).toBeTruthy();
    expect(audit[0].ip).toMatch(/127\.0\.0\.1/);
  });

  it.each([
    ['a colour that is not hex', { branding: { primaryColor: 'red' } }, 'body.branding.primaryColor'],
    ['a logo over plain http', { branding: { logoUrl: 'http://cdn.acme.test/logo.png' } }, 'body.branding.logoUrl'],
    ['a domain with a path', { branding: { customDomain: 'acme.test/x' } }, 'body.branding.customDomain'],
    ['a bad CIDR', { settings: { security: { ipAllowlist: ['10.0.0.0/33'] } } }, 'body.settings.security.ipAllowlist.0'],
    ['an unknown settings field', { settings: { limits: { maxApiCalls: 5 } } }, 'body.settings.limits'],
    ['a job limit of 0', { settings: { limits: { maxJobsPerDay: 0 } } }, 'body.settings.limits.maxJobsPerDay'],
    ['an unknown event', { settings: { notifications: { events: ['everything'] } } }, 'body.settings.notifications.events.0'],
  ])('refuses %s with 400 naming the field', async (_name, body, path) => {
    const response = await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body });
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });

  it('refuses mass assignment of plan, status, id, tenant_id and role (400) and changes nothing', async () => {
    for (const body of [{ plan: 'enterprise' }, { status: 'active' }, { id: tenant.id }, { tenant_id: tenant.id }, { role: 'admin' }, { slug: 'x' }]) {
      const response = await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body });
      expect({ body, status: response.status, code: response.body.error.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const row = await owner('tenants').where({ id: tenant.id }).first();
    expect(row).toMatchObject({ plan: 'enterprise', status: 'active', slug: tenant.slug });
  });

  it('answers 413 for oversized bodies on tenant routes', async () => {
    const response = await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { name: 'x'.repeat(10_000) } });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('white-label (custom domain) needs a plan that includes it', async () => {
    const starter = await hub.createTenant({ plan: 'starter' });
    const response = await hub.request('PATCH', '/v1/tenant', { key: starter.key, body: { branding: { customDomain: 'portal.example.test' } } });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('FEATURE_NOT_IN_PLAN');
  });

  it('renders the branding as CSS custom properties, escaped', async () => {
    const response = await hub.request('GET', '/v1/tenant/theme.css', { key: tenant.key });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/css');
    expect(response.text).toContain('--hub-color-primary: #112233;');
    expect(response.text).toContain('--hub-color-secondary: #64748b;');
    expect(response.text).toContain('--hub-company-name: "Acme \\"Health\\"";');
    expect(response.text).toContain('--hub-logo-url: url("https://cdn.acme.test/logo.png");');
    expect(response.text).toMatch(/^\/\* Integration Hub theme \*\/\n:root \{\n[\s\S]*\n\}\n$/);
  });

  it('a suspended tenant gets 403 TENANT_SUSPENDED on everything but its own profile', async () => {
    const victim = await hub.createTenant();
    const viewer = await createKey(hub, victim, 'viewer');
    expect((await hub.request('PATCH', `/v1/admin/tenants/${victim.id}`, { admin: true, body: { status: 'suspended' } })).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/v1/users'],
      ['POST', '/v1/api-keys'],
      ['PATCH', '/v1/tenant'],
      ['GET', '/v1/tenant/theme.css'],
      ['GET', '/v1/usage'],
    ] as const) {
      const response = await hub.request(method, path, { key: victim.key, body: method === 'GET' ? undefined : { name: 'x', role: 'viewer' } });
      expect({ path, status: response.status, code: response.body?.error?.code }).toEqual({ path, status: 403, code: 'TENANT_SUSPENDED' });
    }
    expect((await hub.request('GET', '/v1/tenant', { key: viewer.key })).body.tenant.status).toBe('suspended');
    const audit = await owner('audit_log').where({ tenant_id: victim.id, action: 'tenant.suspended' });
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_type).toBe('platform_admin');

    expect((await hub.request('PATCH', `/v1/admin/tenants/${victim.id}`, { admin: true, body: { status: 'active' } })).status).toBe(200);
    expect((await hub.request('GET', '/v1/users', { key: victim.key })).status).toBe(200);
    expect((await hub.request('PATCH', `/v1/admin/tenants/${victim.id}`, { key: victim.key, body: { status: 'active' } })).status).toBe(401);
  });

  it('an IP allowlist refuses other addresses, and cannot lock out the caller', async () => {
    const locked = await hub.createTenant();
    const lockout = await hub.request('PATCH', '/v1/tenant', { key: locked.key, body: { settings: { security: { ipAllowlist: ['203.0.113.0/24'] } } } });
    expect(lockout.status).toBe(400);
    expect(lockout.body.error.code).toBe('IP_ALLOWLIST_LOCKOUT');
    const viewer = await createKey(hub, locked, 'viewer');
    expect((await hub.request('GET', '/v1/tenant', { key: viewer.key })).status).toBe(200);

    expect(
      (await hub.request('PATCH', '/v1/tenant', { key: locked.key, body: { settings: { security: { ipAllowlist: ['127.0.0.0/8', '203.0.113.0/24'] } } } }))
        .status,
    ).toBe(200);
    expect((await hub.request('GET', '/v1/tenant', { key: viewer.key })).status).toBe(200);
    // Simulate the tenant narrowing its list from elsewhere (e.g. another admin behind a VPN).
    await owner('tenants')
      .where({ id: locked.id })
      .update({ settings: JSON.stringify({ security: { ipAllowlist: ['203.0.113.0/24'] } }) });
    const refused = await eventually(
      async () => {
        const response = await hub.request('GET', '/v1/tenant', { key: viewer.key });
        return response.status === 403 ? response : undefined;
      },
      2_000,
      'the narrowed allowlist to refuse the caller',
      50,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('IP_NOT_ALLOWED');
  });
});
