import type { paths } from '../../api/schema';
import type { RequestBody, ResponseBody } from '../../api/types';

export type ApiKey = ResponseBody<'/v1/api-keys', 'get'>['data'][number];
export type CreateApiKeyBody = RequestBody<'/v1/api-keys', 'post'>;
export type ApiKeyRole = CreateApiKeyBody['role'];
export type ApiKeyStatus = NonNullable<NonNullable<paths['/v1/api-keys']['get']['parameters']['query']>['status']>;

/** The roles a key may have, keyed by the schema's enum (a new role fails the typecheck until it is named here). */
export const API_KEY_ROLES: Record<ApiKeyRole, string> = {
  admin: 'Admin: everything, keys and restores included',
  manager: 'Manager: users, connectors, jobs',
  member: 'Member: integrations, records, webhooks',
  viewer: 'Viewer: read only',
};

export const API_KEY_STATUSES: Record<ApiKeyStatus, { label: string; color: string }> = {
  active: { label: 'Active', color: 'green' },
  revoked: { label: 'Revoked', color: 'gray' },
  expired: { label: 'Expired', color: 'orange' },
};
