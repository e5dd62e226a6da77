import { type Role } from './roles';

/** A caller authenticated with a tenant API key or a console session (same role table either way). */
export interface TenantPrincipal {
  kind: 'tenant';
  tenantId: string;
  tenantSlug: string;
  tenantStatus: 'active' | 'suspended';
  plan: 'starter' | 'professional' | 'enterprise';
  /** The API key's id; for a session, the session row's id (never its secret). */
  keyId: string;
  /** The user's role for a session. */
  role: Role;
  /** Null: every scope the role allows. */
  scopes: string[] | null;
  /** Set when the caller signed in to the console: the user behind the session. */
  session?: { id: string; userId: string; mfaPending: boolean };
}

/** The platform operator (HUB_ADMIN_TOKEN). */
export interface AdminPrincipal {
  kind: 'admin';
  /** Set when the operator came with the console's operator session cookie instead of the bearer token. */
  operatorSessionId?: string;
}

/** An identity provider calling /scim/v2 with the tenant's SCIM token (docs/scim.md). */
export interface ScimPrincipal {
  kind: 'scim';
  tenantId: string;
  tokenId: string;
  tenantStatus: 'active' | 'suspended';
  plan: 'starter' | 'professional' | 'enterprise';
}

export type Principal = TenantPrincipal | AdminPrincipal | ScimPrincipal;
