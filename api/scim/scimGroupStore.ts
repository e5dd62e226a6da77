import { randomUUID } from 'node:crypto';
import { appendAudit } from '../../platform/audit';
import { type TenantTransaction } from '../../platform/db';
import { type ScimGroupInput } from '../../platform/scim/scimGroupDocument';
import { SCIM_SCHEMAS } from '../../platform/scim/scimSchemaDocuments';
import { type ScimContext } from './scimContext';
import { scimErrors } from './scimError';
import { applyGroupRoles } from './scimRoles';

export interface ScimGroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ScimMemberRow {
  group_id: string;
  user_id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findScimGroup(trx: TenantTransaction, id: string, options: { forUpdate?: boolean } = {}): Promise<ScimGroupRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const query = trx('scim_groups').where({ id }).first<ScimGroupRow | undefined>('id', 'display_name', 'external_id', 'created_at', 'updated_at');
  return options.forUpdate ? query.forUpdate() : query;
}

export async function membersOfGroups(trx: TenantTransaction, groupIds: readonly string[]): Promise<Map<string, ScimMemberRow[]>> {
  const rows: ScimMemberRow[] =
    groupIds.length === 0
      ? []
      : await trx('scim_group_members as m')
          .whereIn('m.group_id', [...groupIds])
          .orderBy('m.user_id')
          .select('m.group_id', 'm.user_id');
  const members = new Map<string, ScimMemberRow[]>();
  for (const row of rows) members.set(row.group_id, [...(members.get(row.group_id) ?? []), row]);
  return members;
}

/** The Group resource of a row (RFC 7643 §4.2). */
export function toGroupResource(row: ScimGroupRow, members: ScimMemberRow[], baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCIM_SCHEMAS.group],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    displayName: row.display_name,
    ...(members.length > 0 ? { members: members.map((member) => ({ value: member.user_id, $ref: `${baseUrl}/Users/${member.user_id}`, type: 'User' })) } : {}),
    meta: {
      resourceType: 'Group',
      created: new Date(row.created_at).toISOString(),
      lastModified: new Date(row.updated_at).toISOString(),
      location: `${baseUrl}/Groups/${row.id}`,
    },
  };
}

async function assertDisplayNameFree(trx: TenantTransaction, displayName: string, exceptId?: string): Promise<void> {
  const taken = await trx('scim_groups')
    .whereRaw('lower(display_name) = lower(?)', [displayName])
    .modify((query) => (exceptId ? query.whereNot({ id: exceptId }) : query))
    .first('id');
  if (taken) throw scimErrors.uniqueness(`A group named ${displayName} exists`);
}

/** Members must be provisioned users of this tenant (nested groups are not supported). */
async function assertMembersExist(trx: TenantTransaction, members: readonly string[]): Promise<void> {
  const invalid = members.filter((member) => !UUID.test(member));
  if (invalid.length > 0) throw scimErrors.invalidValue(`members: ${invalid[0]} is not a user id`);
  if (members.length === 0) return;
  const found: Array<{ user_id: string }> = await trx('scim_users')
    .whereIn('user_id', [...members])
    .select('user_id');
  const known = new Set(found.map((row) => row.user_id));
  const missing = members.find((member) => !known.has(member));
  if (missing) throw scimErrors.invalidValue(`members: no provisioned user ${missing}`);
}

export async function createScimGroup(trx: TenantTransaction, context: ScimContext, input: ScimGroupInput): Promise<string> {
  await assertDisplayNameFree(trx, input.displayName);
  await assertMembersExist(trx, input.members);
  const id = randomUUID();
  await trx('scim_groups').insert({ id, tenant_id: context.tenantId, display_name: input.displayName, external_id: input.externalId });
  if (input.members.length > 0) {
    await trx('scim_group_members').insert(input.members.map((userId) => ({ tenant_id: context.tenantId, group_id: id, user_id: userId })));
  }
  await appendAudit(trx, {
    tenantId: context.tenantId,
    actor: context.actor,
    action: 'group.provisioned',
    target: { type: 'scim_group', id },
    details: { source: 'scim', displayName: input.displayName, externalId: input.externalId, membersAdded: input.members },
  });
  await applyGroupRoles(trx, context, input.members);
  return id;
}

/** Replaces a group's name and members; the roles of everyone who joined, left or whose group was renamed are decided again. */
export async function updateScimGroup(trx: TenantTransaction, context: ScimContext, current: ScimGroupRow, input: ScimGroupInput): Promise<void> {
  if (input.displayName.toLowerCase() !== current.display_name.toLowerCase()) await assertDisplayNameFree(trx, input.displayName, current.id);
  await assertMembersExist(trx, input.members);
  const existing: Array<{ user_id: string }> = await trx('scim_group_members').where({ group_id: current.id }).select('user_id');
  const before = new Set(existing.map((row) => row.user_id));
  const after = new Set(input.members);
  const added = input.members.filter((userId) => !before.has(userId));
  const removed = [...before].filter((userId) => !after.has(userId));
  const renamed = input.displayName !== current.display_name;
  await trx('scim_groups').where({ id: current.id }).update({ display_name: input.displayName, external_id: input.externalId, updated_at: trx.fn.now() });
  if (removed.length > 0) await trx('scim_group_members').where({ group_id: current.id }).whereIn('user_id', removed).del();
  if (added.length > 0) await trx('scim_group_members').insert(added.map((userId) => ({ tenant_id: context.tenantId, group_id: current.id, user_id: userId })));
  if (!renamed && added.length === 0 && removed.length === 0 && input.externalId === current.external_id) return;
  await appendAudit(trx, {
    tenantId: context.tenantId,
    actor: context.actor,
    action: 'group.updated',
    target: { type: 'scim_group', id: current.id },
    details: {
      source: 'scim',
      ...(renamed ? { before: { displayName: current.display_name }, after: { displayName: input.displayName } } : {}),
      membersAdded: added,
      membersRemoved: removed,
    },
  });
  await applyGroupRoles(trx, context, renamed ? [...before, ...added] : [...added, ...removed]);
}

export async function deleteScimGroup(trx: TenantTransaction, context: ScimContext, current: ScimGroupRow): Promise<void> {
  const members: Array<{ user_id: string }> = await trx('scim_group_members').where({ group_id: current.id }).select('user_id');
  await trx('scim_groups').where({ id: current.id }).del();
  await appendAudit(trx, {
    tenantId: context.tenantId,
    actor: context.actor,
    action: 'group.deleted',
    target: { type: 'scim_group', id: current.id },
    details: { source: 'scim', displayName: current.display_name, membersRemoved: members.map((row) => row.user_id) },
  });
  await applyGroupRoles(
    trx,
    context,
    members.map((row) => row.user_id),
  );
}
