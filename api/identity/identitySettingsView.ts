import { z } from 'zod';
import { ROLES } from '../auth/roles';
import { type TenantTransaction } from '../../platform/db';
import { identitySettingsOf } from '../../platform/identity/identitySettings';

/** A tenant's identity settings as the API shows them. */
export const identitySettingsSchema = z.object({
  ssoRequired: z.boolean().describe('Password sign-in is refused for users of verified domains, except the break-glass admin'),
  jitProvisioning: z.boolean().describe('An unknown person of a verified domain signing in through SSO gets a user (role from the group mapping)'),
  defaultRole: z.enum(ROLES).describe('The role of a person none of whose groups is mapped'),
  breakGlassUserId: z.uuid().nullable().describe('An admin who may still sign in with a password when SSO is required'),
  groupRoles: z.array(z.object({ group: z.string(), role: z.enum(ROLES) })).describe('IdP group → role; the strongest mapped role wins'),
});
export type IdentitySettingsView = z.infer<typeof identitySettingsSchema>;

/** The tenant's settings and group mapping, in its transaction. */
export async function identitySettingsView(trx: TenantTransaction): Promise<IdentitySettingsView> {
  const settings = await identitySettingsOf(trx);
  const groupRoles = (await trx('identity_group_roles').orderBy('group_name').select('group_name', 'role')) as Array<{
    group_name: string;
    role: IdentitySettingsView['defaultRole'];
  }>;
  return { ...settings, groupRoles: groupRoles.map((row) => ({ group: row.group_name, role: row.role })) };
}
