import { type Role } from './roles';

/**
 * Role meanings (the seed's): admin — everything; manager — users, jobs and reports (usage);
 * member — connectors, syncs, records, and keys for its own integrations (never above its role);
 * viewer — read-only.
 *
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
  'POST /v1/uploads': 'manager',
  'PATCH /v1/tenant': 'admin',
  'GET /v1/tenant/theme.css': 'viewer',
  'GET /v1/users': 'viewer',
  'GET /v1/users/:id': 'viewer',
  'POST /v1/users': 'manager',
  'PATCH /v1/users/:id': 'manager',
  'DELETE /v1/users/:id': 'manager',
  'GET /v1/api-keys': 'member',
  'GET /v1/api-keys/:id': 'member',
  'POST /v1/api-keys': 'member',
  'DELETE /v1/api-keys/:id': 'member',
  'GET /v1/audit-logs': 'admin',
  'GET /v1/audit-logs/export': 'admin',
  'GET /v1/usage': 'manager',
  // prepaid credit: managers read it, admins spend money
  'GET /v1/wallet': 'manager',
  'PUT /v1/wallet/settings': 'admin',
  'POST /v1/wallet/top-ups': 'admin',
  'GET /v1/wallet/ledger': 'manager',
  'GET /v1/wallet/ledger/export': 'manager',
  // connectors: members manage them, viewers read them (never their credentials)
  'GET /v1/connector-types': 'viewer',
  'GET /v1/connectors': 'viewer',
  'GET /v1/connectors/:id': 'viewer',
  'POST /v1/connectors': 'member',
  'PATCH /v1/connectors/:id': 'member',
  'DELETE /v1/connectors/:id': 'member',
  'POST /v1/connectors/:id/test': 'member',
  // connector definitions: members write them (like connectors), viewers read them
  'GET /v1/connector-definitions/schema': 'viewer',
  'GET /v1/connector-definitions': 'viewer',
  'GET /v1/connector-definitions/:id': 'viewer',
  'POST /v1/connector-definitions': 'member',
  'DELETE /v1/connector-definitions/:id': 'member',
  'POST /v1/connector-definitions/:id/check': 'member',
  // outbound webhooks: members manage them (like connectors), viewers read them (never the secret)
  'GET /v1/webhooks': 'viewer',
  'POST /v1/webhooks': 'member',
  'GET /v1/webhooks/:id': 'viewer',
  'PATCH /v1/webhooks/:id': 'member',
  'DELETE /v1/webhooks/:id': 'member',
  'GET /v1/webhooks/:id/deliveries': 'viewer',
  'POST /v1/webhooks/:id/deliveries/:deliveryId/retry': 'member',
  // reports, like usage
  'GET /v1/analytics/dashboard': 'manager',
  // billing: invoices are account reports, like usage (reachable while suspended)
  'GET /v1/invoices': 'manager',
  'GET /v1/invoices/upcoming': 'manager',
  'GET /v1/invoices/:id': 'manager',
  // syncs and records: members run and schedule syncs, viewers read runs and records
  'POST /v1/connectors/:id/syncs': 'member',
  'GET /v1/connectors/:id/syncs': 'viewer',
  'GET /v1/connectors/:id/schedule': 'viewer',
  'PUT /v1/connectors/:id/schedule': 'member',
  'DELETE /v1/connectors/:id/schedule': 'member',
  'POST /v1/connectors/:id/pause': 'member',
  'POST /v1/connectors/:id/resume': 'member',
  'GET /v1/records': 'viewer',
  // console: managers invite users (like creating them)
  'POST /v1/users/:id/invitation': 'manager',
  // SCIM provisioning: only admins hand an identity provider the power to create users
  'GET /v1/scim-token': 'admin',
  'POST /v1/scim-token': 'admin',
  'DELETE /v1/scim-token': 'admin',
  'GET /v1/scim-requests': 'admin',
  // enterprise identity (docs/sso.md): admins only, like the tenant's settings
  'GET /v1/identity/settings': 'admin',
  'PUT /v1/identity/settings': 'admin',
  'GET /v1/identity/domains': 'admin',
  'POST /v1/identity/domains': 'admin',
  'POST /v1/identity/domains/:id/verify': 'admin',
  'DELETE /v1/identity/domains/:id': 'admin',
  'GET /v1/identity/connections': 'admin',
  'POST /v1/identity/connections': 'admin',
  'GET /v1/identity/connections/:id': 'admin',
  'PATCH /v1/identity/connections/:id': 'admin',
  'DELETE /v1/identity/connections/:id': 'admin',
  'POST /v1/identity/connections/:id/tests': 'admin',
  'GET /v1/identity/connections/:id/tests/:testId': 'admin',
};
