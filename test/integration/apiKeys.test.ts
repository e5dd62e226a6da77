import { generateApiKey } from '../../platform/apiKeys';
import { startTestHub } from '../support/hub';
import { useHub } from '../support/harness';
import { eventually } from '../support/eventually';
import { createKey } from '../support/tenantKeys';

describe('API keys: create once, list without secrets, revoke, expire, role ceilings', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{}] });

  it('answers the secret once, stores only prefix and SHA-256, and lists keys without secrets or hashes', async () => {
    const created = await hub.request('POST', '/v1/api-keys', { key: tenant.key, body: { name: 'CI', role: 'member', scopes: ['users:read'] } });
    expect(created.status).toBe(201);
    const secret = created.body.apiKey.key as string;
    expect(secret).toMatch(/^hub_sk_[0-9A-Za-z]{38}$/);
    expect(created.body.apiKey).toMatchObject({ name: 'CI', role: 'member', scopes: ['users:read'], status: 'active', createdBy: `api_key:${tenant.keyId}` });

    const row = await owner('api_keys').where({ id: created.body.apiKey.id }).first();
    expect(row.key_prefix).toBe(secret.slice(0, 'hub_sk_'.length + 12));
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secret.slice('hub_sk_'.length + 12));

    const list = await hub.request('GET', '/v1/api-keys', { key: tenant.key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((key: { id: string }) => key.id)).toContain(created.body.apiKey.id);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain(row.key_hash);
    expect(list.body.data.every((key: Record<string, unknown>) => !('key' in key) && !('keyHash' in key))).toBe(true);
    const one = await hub.request('GET', `/v1/api-keys/${created.body.apiKey.id}`, { key: tenant.key });
    expect(one.text).not.toContain(secret);
    expect(one.text).not.toContain(row.key_hash);
  });

  it('refuses revoked, expired and malformed keys with the same 401', async () => {
    const revoked = await createKey(hub, tenant, 'viewer');
    expect((await hub.request('GET', '/v1/tenant', { key: revoked.key })).status).toBe(200);
    expect((await hub.request('DELETE', `/v1/api-keys/${revoked.id}`, { key: tenant.key })).status).toBe(204);

    const expiring = await createKey(hub, tenant, 'viewer', { expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect((await hub.request('GET', '/v1/tenant', { key: expiring.key })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_700));

    const checksumBroken = `${tenant.key.slice(0, -1)}${tenant.key.endsWith('A') ? 'B' : 'A'}`;
    for (const key of [revoked.key, expiring.key, 'hub_sk_short', checksumBroken, generateApiKey().key, 'Bearer nonsense']) {
      const response = await hub.request('GET', '/v1/tenant', { key });
      expect({ key: key.slice(0, 12), status: response.status, code: response.body.error.code }).toEqual({
        key: key.slice(0, 12),
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expect(response.body.error.message).toBe('The API key is invalid, expired or revoked');
    }
    const listed = await hub.request('GET', '/v1/api-keys?status=revoked', { key: tenant.key });
    expect(listed.body.data.map((key: { id: string }) => key.id)).toContain(revoked.id);
    const expired = await hub.request('GET', `/v1/api-keys/${expiring.id}`, { key: tenant.key });
    expect(expired.body.apiKey.status).toBe('expired');
  });

  it('a key cannot create a key that outlives it; without an expiry the new key expires with its creator', async () => {
    const creatorExpiry = new Date(Date.now() + 3_600_000).toISOString();
    const shortLived = await createKey(hub, tenant, 'manager', { expiresAt: creatorExpiry });
    const longer = await hub.request('POST', '/v1/api-keys', {
      key: shortLived.key,
      body: { name: 'renewal', role: 'member', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(longer.status).toBe(400);
    expect(longer.body.error).toMatchObject({ code: 'KEY_LIFETIME_EXCEEDED', details: [{ path: 'body.expiresAt' }] });
    const unbounded = await hub.request('POST', '/v1/api-keys', { key: shortLived.key, body: { name: 'no expiry given', role: 'member' } });
    expect(unbounded.status).toBe(201);
    expect(Date.parse(unbounded.body.apiKey.expiresAt)).toBe(Date.parse(creatorExpiry));
    const within = await hub.request('POST', '/v1/api-keys', {
      key: shortLived.key,
      body: { name: 'shorter', role: 'member', expiresAt: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(within.status).toBe(201);
  });

  it('refuses a key with a role above its creator’s (403), and a manager cannot revoke an admin key', async () => {
    const manager = await createKey(hub, tenant, 'manager');
    const above = await hub.request('POST', '/v1/api-keys', { key: manager.key, body: { name: 'escalate', role: 'admin' } });
    expect(above.status).toBe(403);
    expect(above.body.error.code).toBe('FORBIDDEN');
    const equal = await hub.request('POST', '/v1/api-keys', { key: manager.key, body: { name: 'same', role: 'manager' } });
    expect(equal.status).toBe(201);
    const member = await createKey(hub, tenant, 'member');
    expect((await hub.request('POST', '/v1/api-keys', { key: member.key, body: { name: 'up', role: 'manager' } })).status).toBe(403);
    expect((await hub.request('DELETE', `/v1/api-keys/${tenant.keyId}`, { key: manager.key })).status).toBe(403);
    expect((await owner('api_keys').where({ tenant_id: tenant.id, role: 'admin' }).whereNotNull('revoked_at')).length).toBe(0);
  });

  it('a member revokes only keys it created (and itself); an admin revokes any key of the tenant', async () => {
    const member = await createKey(hub, tenant, 'member');
    const otherMember = await createKey(hub, tenant, 'member');
    const mine = await hub.request('POST', '/v1/api-keys', { key: member.key, body: { name: 'my integration', role: 'viewer' } });
    expect(mine.status).toBe(201);
    const theirs = await hub.request('POST', '/v1/api-keys', { key: otherMember.key, body: { name: 'their integration', role: 'viewer' } });
    expect(theirs.status).toBe(201);
    const byAdmin = await createKey(hub, tenant, 'viewer');

    for (const id of [theirs.body.apiKey.id as string, byAdmin.id, otherMember.id]) {
      const refused = await hub.request('DELETE', `/v1/api-keys/${id}`, { key: member.key });
      expect({ id, status: refused.status, code: refused.body.error.code }).toEqual({ id, status: 403, code: 'FORBIDDEN' });
      expect((await owner('api_keys').where({ id }).first()).revoked_at).toBeNull();
    }
    expect((await hub.request('DELETE', `/v1/api-keys/${mine.body.apiKey.id}`, { key: member.key })).status).toBe(204);
    expect((await owner('api_keys').where({ id: mine.body.apiKey.id }).first()).revoked_at).not.toBeNull();
    // The admin revokes keys it did not create, a member's included.
    expect((await hub.request('DELETE', `/v1/api-keys/${theirs.body.apiKey.id}`, { key: tenant.key })).status).toBe(204);
    expect((await hub.request('DELETE', `/v1/api-keys/${otherMember.id}`, { key: tenant.key })).status).toBe(204);
    // A member may retire its own key.
    expect((await hub.request('DELETE', `/v1/api-keys/${member.id}`, { key: member.key })).status).toBe(204);
    expect((await hub.request('GET', '/v1/tenant', { key: member.key })).status).toBe(401);
  });

  it('refuses mass assignment of tenant_id, hashes and timestamps (400)', async () => {
    for (const extra of [{ tenant_id: tenant.id }, { keyHash: 'x' }, { key: 'hub_sk_x' }, { revokedAt: null }]) {
      const response = await hub.request('POST', '/v1/api-keys', { key: tenant.key, body: { name: 'x', role: 'viewer', ...extra } });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('keeps the last active admin key', async () => {
    const solo = await hub.createTenant();
    const response = await hub.request('DELETE', `/v1/api-keys/${solo.keyId}`, { key: solo.key });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('LAST_ADMIN_KEY');
    const second = await createKey(hub, solo, 'admin');
    expect((await hub.request('DELETE', `/v1/api-keys/${solo.keyId}`, { key: second.key })).status).toBe(204);
    expect((await hub.request('GET', '/v1/tenant', { key: solo.key })).status).toBe(401);
  });

  it('enforces the tenant’s maximum key lifetime', async () => {
    const strict = await hub.createTenant();
    expect((await hub.request('PATCH', '/v1/tenant', { key: strict.key, body: { settings: { security: { keyMaxLifetimeDays: 30 } } } })).status).toBe(200);
    const tooLong = await hub.request('POST', '/v1/api-keys', {
      key: strict.key,
      body: { name: 'x', role: 'viewer', expiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString() },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe('KEY_LIFETIME_EXCEEDED');
    const defaulted = await hub.request('POST', '/v1/api-keys', { key: strict.key, body: { name: 'x', role: 'viewer' } });
    expect(defaulted.status).toBe(201);
    const lifetime = new Date(defaulted.body.apiKey.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(29.9 * 86_400_000);
    expect(lifetime).toBeLessThanOrEqual(30 * 86_400_000);
    const past = await hub.request('POST', '/v1/api-keys', {
      key: strict.key,
      body: { name: 'x', role: 'viewer', expiresAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.status).toBe(400);
  });

  it('updates lastUsedAt on use, at most once a minute', async () => {
    const key = await createKey(hub, tenant, 'viewer');
    expect((await owner('api_keys').where({ id: key.id }).first()).last_used_at).toBeNull();
    await hub.request('GET', '/v1/tenant', { key: key.key });
    const first = await eventually(
      async () => ((await owner('api_keys').where({ id: key.id }).first()).last_used_at as Date | null) ?? undefined,
      5_000,
      'lastUsedAt to be recorded',
      50,
    );
    expect(first).not.toBeNull();
    await hub.request('GET', '/v1/tenant', { key: key.key });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = (await owner('api_keys').where({ id: key.id }).first()).last_used_at as Date;
    expect(second.getTime()).toBe(first!.getTime());
  });

  it('a revocation on one API replica is refused by another at once (cached credentials are invalidated by NOTIFY)', async () => {
    const replica = await startTestHub();
    try {
      const key = await createKey(hub, tenant, 'viewer');
      // Both replicas have the key cached now.
      expect((await replica.request('GET', '/v1/tenant', { key: key.key })).status).toBe(200);
      expect((await replica.request('GET', '/v1/tenant', { key: key.key })).status).toBe(200);
      expect(replica.controlPlane.credentials.enabled).toBe(true);
      expect((await hub.request('DELETE', `/v1/api-keys/${key.id}`, { key: tenant.key })).status).toBe(204);
      const refused = await eventually(
        async () => {
          const response = await replica.request('GET', '/v1/tenant', { key: key.key });
          return response.status === 401 ? response : undefined;
        },
        2_000,
        'the replica to refuse the revoked key',
        50,
      );
      expect(refused.status).toBe(401);

      // Suspension, too, reaches the other replica.
      const suspended = await hub.createTenant();
      expect((await replica.request('GET', '/v1/users', { key: suspended.key })).status).toBe(200);
      expect((await hub.request('PATCH', `/v1/admin/tenants/${suspended.id}`, { admin: true, body: { status: 'suspended' } })).status).toBe(200);
      const blocked = await eventually(
        async () => {
          const response = await replica.request('GET', '/v1/users', { key: suspended.key });
          return response.status === 403 ? response : undefined;
        },
        2_000,
        'the replica to refuse the suspended tenant',
        50,
      );
      expect(blocked.body.error.code).toBe('TENANT_SUSPENDED');
    } finally {
      await replica.stop();
    }
  });
});
