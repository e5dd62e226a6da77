import { appendAudit } from '../../platform/audit';
import { type TenantTransaction } from '../../platform/db';
import { resolveRoleForGroups } from '../../platform/identity/groupRoles';
import { type Role } from '../../platform/users/roles';
import { type ScimContext } from './scimContext';

/**
 * Gives each user the role their SCIM groups map to (resolveRoleForGroups: the strongest mapped
 * role, else the tenant's default role), auditing each change. The tenant's last active admin is
 * never demoted this way: the change is skipped and the audit row says why.
 */
export async function applyGroupRoles(trx: TenantTransaction, context: ScimContext, userIds: readonly string[]): Promise<void> {
  for (const userId of [...new Set(userIds)]) {
    const user: { id: string; role: Role; status: string } | undefined = await trx('users').where({ id: userId }).forUpdate().first('id', 'role', 'status');
    if (!user) continue;
    const groups: Array<{ display_name: string }> = await trx('scim_group_members as m')
      .join('scim_groups as g', 'g.id', 'm.group_id')
      .where('m.user_id', userId)
      .select('g.display_name');
    const names = groups.map((group) => group.display_name);
    const role = await resolveRoleForGroups(trx, names);
    if (role === user.role) continue;
    if (user.role === 'admin' && user.status === 'active') {
      const otherAdmins = await trx('users').where({ role: 'admin', status: 'active' }).whereNot({ id: userId }).forUpdate().select('id');
      if (otherAdmins.length === 0) {
        await appendAudit(trx, {
          tenantId: context.tenantId,
          actor: context.actor,
          action: 'user.role_change_skipped',
          target: { type: 'user', id: userId },
          details: { source: 'scim', reason: 'last_admin', groups: names, wouldBe: role },
        });
        continue;
      }
    }
    await trx('users').where({ id: userId }).update({ role, updated_at: trx.fn.now() });
    await appendAudit(trx, {
      tenantId: context.tenantId,
      actor: context.actor,
      action: 'user.updated',
      target: { type: 'user', id: userId },
      details: { source: 'scim', groups: names, before: { role: user.role }, after: { role } },
    });
  }
}
