import { type Role } from '../../api/auth/roles';
import { type CreatedTenant, type TestHub } from './hub';

export interface TestKey {
  id: string;
  key: string;
  role: Role;
}

/** Creates an API key through the API with the tenant's admin key. */
export async function createKey(hub: TestHub, tenant: CreatedTenant, role: Role, extra: Record<string, unknown> = {}): Promise<TestKey> {
  const response = await hub.request('POST', '/v1/api-keys', { key: tenant.key, body: { name: `${role} key`, role, ...extra } });
  if (response.status !== 201) throw new Error(`createKey(${role}): ${response.status} ${response.text}`);
  return { id: response.body.apiKey.id, key: response.body.apiKey.key, role };
}

/** One key per role: `{ admin, manager, member, viewer }` (admin is the tenant's onboarding key). */
export async function keysByRole(hub: TestHub, tenant: CreatedTenant): Promise<Record<Role, TestKey>> {
  return {
    admin: { id: tenant.keyId, key: tenant.key, role: 'admin' },
    manager: await createKey(hub, tenant, 'manager'),
    member: await createKey(hub, tenant, 'member'),
    viewer: await createKey(hub, tenant, 'viewer'),
  };
}

/** Creates a user through the API and returns its id. */
export async function createUser(hub: TestHub, key: string, fields: Partial<{ email: string; name: string; role: Role }> = {}): Promise<string> {
  const email = fields.email ?? `u-${Math.random().toString(36).slice(2, 10)}@example.test`;
  const response = await hub.request('POST', '/v1/users', { key, body: { email, name: fields.name ?? 'Test User', role: fields.role ?? 'member' } });
  if (response.status !== 201) throw new Error(`createUser: ${response.status} ${response.text}`);
  return response.body.user.id;
}
