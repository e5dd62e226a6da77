import { type CreatedTenant, type TestHub, type TestResponse } from './hub';

/** Creates (or rotates) the tenant's SCIM token with its admin key and returns the secret. */
export async function createScimToken(hub: TestHub, tenant: CreatedTenant): Promise<string> {
  const response = await hub.request('POST', '/v1/scim-token', { key: tenant.key });
  if (response.status !== 201) throw new Error(`createScimToken: ${response.status} ${response.text}`);
  return response.body.secret as string;
}

/** Calls /scim/v2 as an identity provider does: bearer token, application/scim+json bodies. */
export function scimClient(hub: TestHub, token: string) {
  return (method: string, path: string, body?: unknown): Promise<TestResponse> =>
    hub.request(method, `/scim/v2${path}`, {
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { rawBody: JSON.stringify(body) }),
    });
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
