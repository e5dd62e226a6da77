import { type TenantTransaction } from '../db';
import { type Role } from '../users/roles';
import { DEFAULT_IDENTITY_ROLE } from './groupRoles';
import { emailDomain } from './domains';

/** A tenant's identity settings (the defaults when it has no row). */
export interface IdentitySettings {
  ssoRequired: boolean;
  jitProvisioning: boolean;
  defaultRole: Role;
  breakGlassUserId: string | null;
}

/** The tenant's settings, in its transaction. */
export async function identitySettingsOf(trx: TenantTransaction): Promise<IdentitySettings> {
  const row = await trx('identity_settings').first<
    { sso_required: boolean; jit_provisioning: boolean; default_role: Role; break_glass_user_id: string | null } | undefined
  >('sso_required', 'jit_provisioning', 'default_role', 'break_glass_user_id');
  return {
    ssoRequired: row?.sso_required ?? false,
    jitProvisioning: row?.jit_provisioning ?? false,
    defaultRole: row?.default_role ?? DEFAULT_IDENTITY_ROLE,
    breakGlassUserId: row?.break_glass_user_id ?? null,
  };
}

/** Whether `email`'s domain is one the tenant verified. */
export async function isVerifiedDomainOfTenant(trx: TenantTransaction, email: string): Promise<boolean> {
  const domain = emailDomain(email);
  if (!domain) return false;
  return !!(await trx('identity_domains').where({ domain }).whereNotNull('verified_at').first('id'));
}

/**
 * Whether password sign-in is refused for this e-mail: the tenant requires SSO, the address is in
 * one of its verified domains, and the user is not the break-glass admin.
 */
export async function passwordSignInRefused(trx: TenantTransaction, email: string, userId: string | undefined): Promise<boolean> {
  const settings = await identitySettingsOf(trx);
  if (!settings.ssoRequired) return false;
  if (userId && settings.breakGlassUserId === userId) return false;
  return isVerifiedDomainOfTenant(trx, email);
}
