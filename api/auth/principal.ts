import { type Role } from './roles';

/** A caller authenticated with a tenant API key. */
export interface TenantPrincipal {
  kind: 'tenant';
  tenantId: string;
  tenantSlug: string;
  tenantStatus: 'active' | 'suspended';
  plan: 'starter' | 'professional' | 'enterprise';
  keyId: string;
  role: Role;
  /** Null: every scope the role allows. */
  scopes: string[] | null;
}

/** The platform operator (HUB_ADMIN_TOKEN). */
export interface AdminPrincipal {
  kind: 'admin';
}

export type Principal = TenantPrincipal | AdminPrincipal;
