import { useHub } from '../support/harness';
import { createKey, createUser } from '../support/tenantKeys';

describe('users: CRUD, unique e-mail per tenant, role ceilings, last admin', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{}] });

  it('creates, reads, updates and deletes a user, auditing each change', async () => {
    const created = await hub.request('POST', '/v1/users', { key: tenant.key, body: { email: 'Jane@Acme.test', name: 'Jane', role: 'member' } });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email: 'Jane@Acme.test', name: 'Jane', role: 'member', status: 'invited', lastActiveAt: null });
    const id = created.body.user.id as string;

    expect((await hub.request('GET', `/v1/users/${id}`, { key: tenant.key })).body.user.email).toBe('Jane@Acme.test');
    const updated = await hub.request('PATCH', `/v1/users/${id}`, { key: tenant.key, body: { role: 'manager', status: 'active' } });
    expect(updated.status).toBe(200);
    expect(updated.body.user).toMatchObject({ role: 'manager', status: 'active' });
    expect((await hub.request('DELETE', `/v1/users/${id}`, { key: tenant.key })).status).toBe(204);
    expect((await hub.request('GET', `/v1/users/${id}`, { key: tenant.key })).status).toBe(404);

    const audit = await owner('audit_log').where({ tenant_id: tenant.id, target_id: id }).orderBy('seq');
    expect(audit.map((row) => row.action)).toEqual(['user.created', 'user.updated', 'user.deleted']);
    expect(audit[1].details).toEqual({ before: { role: 'member', status: 'invited' }, after: { role: 'manager', status: 'active' } });
  });

  it('e-mail addresses are unique per tenant, case-insensitively, but not across tenants', async () => {
    await createUser(hub, tenant.key, { email: 'dup@acme.test' });
    const again = await hub.request('POST', '/v1/users', { key: tenant.key, body: { email: 'DUP@acme.TEST', name: 'Dup', role: 'viewer' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('EMAIL_TAKEN');
    const other = await hub.createTenant();
    expect((await hub.request('POST', '/v1/users', { key: other.key, body: { email: 'dup@acme.test', name: 'Dup', role: 'viewer' } })).status).toBe(201);
  });

  it('a manager manages users up to its own role, never admins', async () => {
    const manager = await createKey(hub, tenant, 'manager');
    const admin = await hub.request('POST', '/v1/users', { key: manager.key, body: { email: 'boss@acme.test', name: 'Boss', role: 'admin' } });
    expect(admin.status).toBe(403);
    const memberId = await createUser(hub, manager.key, { role: 'member' });
    expect((await hub.request('PATCH', `/v1/users/${memberId}`, { key: manager.key, body: { role: 'admin' } })).status).toBe(403);
    expect((await hub.request('PATCH', `/v1/users/${memberId}`, { key: manager.key, body: { role: 'manager' } })).status).toBe(200);
    const adminId = await createUser(hub, tenant.key, { role: 'admin' });
    expect((await hub.request('PATCH', `/v1/users/${adminId}`, { key: manager.key, body: { role: 'viewer' } })).status).toBe(403);
    expect((await hub.request('DELETE', `/v1/users/${adminId}`, { key: manager.key })).status).toBe(403);
  });

  it('refuses mass assignment (tenant_id, id, status on create, email on update) with 400', async () => {
    const bodies: Array<[string, string, Record<string, unknown>]> = [
      ['POST', '/v1/users', { email: 'm1@acme.test', name: 'M', role: 'viewer', tenant_id: tenant.id }],
      ['POST', '/v1/users', { email: 'm2@acme.test', name: 'M', role: 'viewer', id: '00000000-0000-4000-8000-000000000000' }],
      ['POST', '/v1/users', { email: 'm3@acme.test', name: 'M', role: 'viewer', status: 'active' }],
    ];
    const target = await createUser(hub, tenant.key);
    bodies.push(['PATCH', `/v1/users/${target}`, { email: 'x@acme.test' }], ['PATCH', `/v1/users/${target}`, { tenant_id: tenant.id }]);
    for (const [method, path, body] of bodies) {
      const response = await hub.request(method, path, { key: tenant.key, body });
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
    expect(await owner('users').where({ tenant_id: tenant.id }).whereIn('email', ['m1@acme.test', 'm2@acme.test', 'm3@acme.test'])).toEqual([]);
  });

  it('never leaves a tenant without an active admin', async () => {
    const solo = await hub.createTenant();
    const [admin] = await owner('users').where({ tenant_id: solo.id, role: 'admin' });
    for (const body of [{ role: 'manager' }, { status: 'suspended' }]) {
      const response = await hub.request('PATCH', `/v1/users/${admin.id}`, { key: solo.key, body });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('LAST_ADMIN');
    }
    expect((await hub.request('DELETE', `/v1/users/${admin.id}`, { key: solo.key })).status).toBe(409);
    const second = await createUser(hub, solo.key, { role: 'admin' });
    await hub.request('PATCH', `/v1/users/${second}`, { key: solo.key, body: { status: 'active' } });
    expect((await hub.request('DELETE', `/v1/users/${admin.id}`, { key: solo.key })).status).toBe(204);
  });

  it('lists each user exactly as GET /v1/users/:id shows it, after every kind of write', async () => {
    const listed = await hub.createTenant();
    const created = await hub.request('POST', '/v1/users', {
      key: listed.key,
      body: { email: 'Zoe.ONeil@acme.test', name: 'Zoë "Z"\tO\'Neil \\ ✓', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const id = created.body.user.id as string;
    const listedAs = async () =>
      ((await hub.request('GET', '/v1/users?limit=100', { key: listed.key })).body.data as Array<{ id: string; lastActiveAt?: string | null }>).find(
        (user) => user.id === id,
      );
    const shownAs = async () => (await hub.request('GET', `/v1/users/${id}`, { key: listed.key })).body.user;

    expect(await listedAs()).toEqual(await shownAs());
    expect(await listedAs()).toMatchObject({ name: 'Zoë "Z"\tO\'Neil \\ ✓', lastActiveAt: null });
    // The list's objects are kept by Postgres (users.api_json): writes through the API and straight
    // to the table (imports, restores, activity stamps) must both show up in them.
    await hub.request('PATCH', `/v1/users/${id}`, { key: listed.key, body: { name: 'Renamed', role: 'member', status: 'active' } });
    expect(await listedAs()).toEqual(await shownAs());
    expect(await listedAs()).toMatchObject({ name: 'Renamed', role: 'member', status: 'active' });
    await owner('users')
      .where({ id })
      .update({ last_active_at: new Date('2026-03-04T05:06:07.089Z') });
    expect(await listedAs()).toEqual(await shownAs());
    expect((await listedAs())?.lastActiveAt).toBe('2026-03-04T05:06:07.089Z');
  });

  it('pages users, caps the page size at 100, and filters by role', async () => {
    const paged = await hub.createTenant();
    await owner('users').insert(
      Array.from({ length: 120 }, (_, index) => ({
        id: crypto.randomUUID(),
        tenant_id: paged.id,
        email: `bulk${index}@paged.test`,
        name: `Bulk ${index}`,
        role: index % 2 ? 'viewer' : 'member',
      })),
    );
    const capped = await hub.request('GET', '/v1/users?limit=1000', { key: paged.key });
    expect(capped.status).toBe(200);
    expect(capped.body.data).toHaveLength(100);
    expect(capped.body.pagination).toEqual({ page: 1, limit: 100, total: 121, totalPages: 2 });
    const second = await hub.request('GET', '/v1/users?limit=100&page=2', { key: paged.key });
    expect(second.body.data).toHaveLength(21);
    const beyond = await hub.request('GET', '/v1/users?limit=100&page=5', { key: paged.key });
    expect(beyond.body).toEqual({ data: [], pagination: { page: 5, limit: 100, total: 121, totalPages: 2 } });
    const viewers = await hub.request('GET', '/v1/users?role=viewer&limit=100', { key: paged.key });
    expect(viewers.body.pagination.total).toBe(60);
    expect((await hub.request('GET', '/v1/users?role=owner', { key: paged.key })).status).toBe(400);
  });
});
