import http from 'node:http';
import { useHub } from '../support/harness';
import { type TestHub, type TestResponse } from '../support/hub';

/** A GET with a Host header of our choosing (fetch may not set Host). */
function getWithHost(hub: TestHub, path: string, host: string): Promise<{ status: number; body: TestResponse['body'] }> {
  const url = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path, method: 'GET', headers: { Host: host } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** The operator cookie as a browser would send it back, and the CSRF token of the sign-in answer. */
function operatorSession(response: TestResponse): { cookie: string; csrfToken: string; setCookie: string } {
  const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('hub_operator='))!;
  return { cookie: setCookie.split(';')[0]!, csrfToken: response.body.csrfToken, setCookie };
}

describe('console operator: the admin token exchanged for a session; custom domains; tenants with usage', () => {
  const { hub, tenants, owner } = useHub({ tenants: [{}, {}, { plan: 'starter' }] });
  // Same database, another admin token (a rotated one), and a tight failed-authentication budget.
  const { hub: rotated } = useHub({ worker: false, env: { HUB_ADMIN_TOKEN: 'a-rotated-admin-token-of-enough-length-000', API_AUTH_FAILURES_PER_IP: '3' } });

  it('exchanges the admin token for an HttpOnly, Strict operator cookie the admin routes accept, with CSRF on changes, and signs out', async () => {
    const wrong = await hub.request('POST', '/v1/admin/sessions', { body: { token: 'not the admin token' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);

    const signedIn = await hub.request('POST', '/v1/admin/sessions', { body: { token: hub.adminToken } });
    expect(signedIn.status).toBe(201);
    const session = operatorSession(signedIn);
    expect(session.setCookie).toMatch(/; HttpOnly/);
    expect(session.setCookie).toMatch(/; SameSite=Strict/);
    expect(session.setCookie).toMatch(/; Secure/);
    expect(session.setCookie).toMatch(/; Path=\/v1\/admin/);
    expect(signedIn.body.session.id).toEqual(expect.any(String));
    // Only a hash of the secret (and nothing of the admin token) is stored.
    const secret = session.cookie.slice('hub_operator='.length);
    const stored = JSON.stringify(await owner('operator_sessions').where({ id: signedIn.body.session.id }));
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(hub.adminToken);
    expect(JSON.stringify(signedIn.body)).not.toContain(hub.adminToken);

    // The Authorization header works as the token too.
    expect((await hub.request('POST', '/v1/admin/sessions', { admin: true })).status).toBe(201);

    const asOperator = (method: string, path: string, options: { body?: unknown; csrf?: string } = {}) =>
      hub.request(method, path, { body: options.body, headers: { Cookie: session.cookie, ...(options.csrf ? { 'X-CSRF-Token': options.csrf } : {}) } });
    const listed = await asOperator('GET', '/v1/admin/tenants');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((tenant: { id: string }) => tenant.id)).toContain(tenants[0].id);
    const current = await asOperator('GET', '/v1/admin/sessions/current');
    expect(current.body).toEqual({ session: signedIn.body.session, csrfToken: session.csrfToken });

    // A change needs the CSRF token: a cross-site request carries no header (and SameSite=Strict no cookie).
    for (const csrf of [undefined, 'forged']) {
      const refused = await asOperator('PATCH', `/v1/admin/tenants/${tenants[1].id}`, { body: { status: 'suspended' }, csrf });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('CSRF_TOKEN_INVALID');
    }
    const suspended = await asOperator('PATCH', `/v1/admin/tenants/${tenants[1].id}`, { body: { status: 'suspended' }, csrf: session.csrfToken });
    expect(suspended.status).toBe(200);
    expect(suspended.body.tenant.status).toBe('suspended');
    expect(await owner('audit_log').where({ tenant_id: tenants[1].id, action: 'tenant.suspended' }).first()).toMatchObject({ actor_type: 'platform_admin' });
    expect((await asOperator('PATCH', `/v1/admin/tenants/${tenants[1].id}`, { body: { status: 'active' }, csrf: session.csrfToken })).status).toBe(200);

    // A session made with another admin token (rotated since) is refused; the bearer path is unchanged.
    const onRotated = await rotated.request('GET', '/v1/admin/tenants', { headers: { Cookie: session.cookie } });
    expect(onRotated.status).toBe(401);
    expect(onRotated.body.error.code).toBe('SESSION_EXPIRED');
    expect((await rotated.request('GET', '/v1/admin/tenants', { admin: true })).status).toBe(200);

    // Sign-out needs the CSRF token, ends the session and clears the cookie.
    expect((await asOperator('DELETE', '/v1/admin/sessions/current')).status).toBe(403);
    const signedOut = await asOperator('DELETE', '/v1/admin/sessions/current', { csrf: session.csrfToken });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.getSetCookie()[0]).toMatch(/^hub_operator=; .*Max-Age=0/);
    const after = await asOperator('GET', '/v1/admin/tenants');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('SESSION_EXPIRED');
    expect((await asOperator('GET', '/v1/admin/sessions/current')).body).toEqual({ session: null, csrfToken: null });
  });

  it('wrong admin tokens at the operator sign-in are throttled per address like other authentication failures', async () => {
    // The budget is 3 failures from this address (the refused cookie of the test before counted as one).
    const answers: number[] = [];
    for (let attempt = 0; attempt < 4 && answers.at(-1) !== 429; attempt += 1) {
      answers.push((await rotated.request('POST', '/v1/admin/sessions', { body: { token: `guess-${attempt}` } })).status);
    }
    expect(answers.filter((status) => status === 401).length).toBeGreaterThanOrEqual(2);
    expect(answers.at(-1)).toBe(429);
    const locked = await rotated.request('POST', '/v1/admin/sessions', { body: { token: rotated.adminToken } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it("serves a tenant's branding for its custom domain only once a platform admin approved it", async () => {
    const [brand, other] = tenants;
    const domain = `portal-${brand.slug}.example`;
    const branding = { companyName: 'Brand Co', primaryColor: '#0b6e4f', customDomain: domain };
    expect((await hub.request('PATCH', '/v1/tenant', { key: brand.key, body: { branding } })).status).toBe(200);
    expect((await getWithHost(hub, '/v1/auth/branding', domain)).status).toBe(404);

    const noDomain = await hub.request('PATCH', `/v1/admin/tenants/${tenants[2].id}`, { admin: true, body: { customDomainApproved: true } });
    expect(noDomain.status).toBe(409);
    expect(noDomain.body.error.code).toBe('NO_CUSTOM_DOMAIN');

    const approved = await hub.request('PATCH', `/v1/admin/tenants/${brand.id}`, { admin: true, body: { customDomainApproved: true } });
    expect(approved.status).toBe(200);
    expect(approved.body.tenant.customDomainApproved).toBe(true);
    expect((await hub.request('GET', '/v1/tenant', { key: brand.key })).body.tenant.customDomainApproved).toBe(true);
    expect(await owner('audit_log').where({ tenant_id: brand.id, action: 'tenant.custom_domain_approved' }).first()).toMatchObject({
      actor_type: 'platform_admin',
    });

    const served = await getWithHost(hub, '/v1/auth/branding', `${domain.toUpperCase()}:8443`);
    expect(served.status).toBe(200);
    expect(served.body).toEqual({
      tenant: { slug: brand.slug, name: expect.any(String) },
      branding: { companyName: 'Brand Co', primaryColor: '#0b6e4f' },
      customDomain: domain,
    });
    expect((await getWithHost(hub, '/v1/auth/branding', 'unknown.example')).status).toBe(404);
    expect((await hub.request('GET', '/v1/auth/branding')).status).toBe(404);

    // Another tenant naming the same domain cannot be approved for it.
    expect((await hub.request('PATCH', '/v1/tenant', { key: other.key, body: { branding: { customDomain: domain } } })).status).toBe(200);
    const taken = await hub.request('PATCH', `/v1/admin/tenants/${other.id}`, { admin: true, body: { customDomainApproved: true } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CUSTOM_DOMAIN_TAKEN');

    // Moving to another domain needs a new approval; withdrawing the approval stops serving it.
    expect(
      (await hub.request('PATCH', '/v1/tenant', { key: brand.key, body: { branding: { customDomain: `new-${domain}` } } })).body.tenant.customDomainApproved,
    ).toBe(false);
    expect((await getWithHost(hub, '/v1/auth/branding', domain)).status).toBe(404);
    expect((await getWithHost(hub, '/v1/auth/branding', `new-${domain}`)).status).toBe(404);
    expect((await hub.request('PATCH', '/v1/tenant', { key: brand.key, body: { branding: { customDomain: domain } } })).status).toBe(200);
    expect((await getWithHost(hub, '/v1/auth/branding', domain)).status).toBe(200);
    expect((await hub.request('PATCH', `/v1/admin/tenants/${brand.id}`, { admin: true, body: { customDomainApproved: false } })).status).toBe(200);
    expect((await getWithHost(hub, '/v1/auth/branding', domain)).status).toBe(404);
  });

  it("lists tenants with this month's API calls and seats", async () => {
    const [, , starter] = tenants;
    for (let call = 0; call < 3; call += 1) expect((await hub.request('GET', '/v1/tenant', { key: starter.key })).status).toBe(200);
    const listed = await hub.request('GET', '/v1/admin/tenants?limit=100', { admin: true });
    expect(listed.status).toBe(200);
    const row = listed.body.data.find((tenant: { id: string }) => tenant.id === starter.id);
    expect(row.usage.period).toBe(new Date().toISOString().slice(0, 7));
    expect(row.usage.apiCalls).toBeGreaterThanOrEqual(3);
    expect(row.usage.seats).toBe(1);
    expect(row.planLimits.apiCallsPerMonth).toBeGreaterThan(0);
  });
});
