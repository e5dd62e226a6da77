import { type TenantTransaction } from '../db';
import { ROLES, type Role } from '../users/roles';

/** Identity defaults for a tenant without an `identity_settings` row. */
export const DEFAULT_IDENTITY_ROLE: Role = 'member';

/**
 * The role a person gets from their IdP groups: the strongest role any of their groups maps to
 * (`identity_group_roles`, names matched case-insensitively), or the tenant's default role when no
 * group maps. SSO sign-ins and SCIM group membership both decide roles here, so the two never disagree.
 */
export async function resolveRoleForGroups(trx: TenantTransaction, groups: readonly string[]): Promise<Role> {
  const names = [...new Set(groups.map((group) => group.toLowerCase()))];
  if (names.length > 0) {
    const rows: Array<{ role: Role }> = await trx('identity_group_roles').select('role').whereRaw('lower(group_name) = any(?)', [names]);
    const mapped = ROLES.find((role) => rows.some((row) => row.role === role));
    if (mapped) return mapped;
  }
  const settings: { default_role: Role } | undefined = await trx('identity_settings').first('default_role');
  return settings?.default_role ?? DEFAULT_IDENTITY_ROLE;
}
