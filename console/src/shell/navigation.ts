import type { Role } from '../session/roles';

/** One entry of the console's side navigation; `minRole` hides it from roles that cannot use the screen. */
export interface NavigationEntry {
  path: string;
  label: string;
  minRole: Role;
}

/** The tenant console's screens, in the order the side navigation lists them. */
export const NAVIGATION: readonly NavigationEntry[] = [
  { path: '/', label: 'Dashboard', minRole: 'viewer' },
  { path: '/users', label: 'Users', minRole: 'viewer' },
  { path: '/integrations', label: 'Integrations', minRole: 'viewer' },
  { path: '/jobs', label: 'Bulk jobs', minRole: 'viewer' },
  { path: '/webhooks', label: 'Webhooks', minRole: 'viewer' },
  { path: '/api-keys', label: 'API keys', minRole: 'viewer' },
  { path: '/audit', label: 'Audit log', minRole: 'admin' },
  { path: '/provisioning', label: 'Provisioning (SCIM)', minRole: 'admin' },
  { path: '/identity', label: 'Identity (SSO)', minRole: 'admin' },
  { path: '/invoices', label: 'Invoices', minRole: 'manager' },
  { path: '/settings', label: 'Settings', minRole: 'viewer' },
  { path: '/branding', label: 'White-label', minRole: 'viewer' },
];
