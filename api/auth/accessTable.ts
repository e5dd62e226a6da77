import { type Role } from './roles';

/**
 * The route × role table: the weakest role that may call each tenant route. One place to read
 * and review who can do what; a test walks it for every role. Keys are `METHOD /path` exactly as
 * the route declares it; a tenant route missing here refuses to mount.
 */
export const accessTable: Readonly<Record<string, Role>> = {
  'GET /v1/tenant': 'viewer',
  // connectors: members manage them, viewers read them (never their credentials)
  'GET /v1/connector-types': 'viewer',
  'GET /v1/connectors': 'viewer',
  'GET /v1/connectors/:id': 'viewer',
  'POST /v1/connectors': 'member',
  'PATCH /v1/connectors/:id': 'member',
  'DELETE /v1/connectors/:id': 'member',
  'POST /v1/connectors/:id/test': 'member',
};
