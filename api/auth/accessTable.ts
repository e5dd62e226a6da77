import { type Role } from './roles';

/**
 * The route × role table: the weakest role that may call each tenant route. One place to read
 * and review who can do what; a test walks it for every role. Keys are `METHOD /path` exactly as
 * the route declares it; a tenant route missing here refuses to mount.
 */
export const accessTable: Readonly<Record<string, Role>> = {
  'GET /v1/tenant': 'viewer',

  'POST /v1/jobs': 'manager',
  'GET /v1/jobs': 'viewer',
  'GET /v1/jobs/:id': 'viewer',
  'POST /v1/jobs/:id/cancel': 'manager',
  'GET /v1/jobs/:id/download': 'manager',
};
