import { randomUUID } from 'node:crypto';
import { appendAudit } from '../../platform/audit';
import { auditChanges } from '../../platform/auditDiff';
import { type TenantTransaction } from '../../platform/db';
import { resolveRoleForGroups } from '../../platform/identity/groupRoles';
import { SCIM_SCHEMAS } from '../../platform/scim/scimSchemaDocuments';
import { hubEmailOf, hubNameOf, type ScimEmail, type ScimUserInput } from '../../platform/scim/scimUserDocument';
import { type Role } from '../../platform/users/roles';
import { type ScimContext } from './scimContext';
import { ScimError, scimErrors } from './scimError';

/** A SCIM user with the hub user's fields it shows. */
export interface ScimUserRow {
  user_id: string;
  user_name: string;
  external_id: string | null;
  attributes: { name?: ScimUserInput['name']; displayName?: string; emails?: ScimEmail[] };
  status: 'invited' | 'active' | 'suspended';
  role: Role;
  email: string;
  created_at: Date;
  updated_at: Date;
}

export const SCIM_USER_COLUMNS = [
  'su.user_id',
  'su.user_name',
  'su.external_id',
  'su.attributes',
  'u.status',
  'u.role',
  'u.email',
  'su.created_at',
  'su.updated_at',
];

export function scimUsersQuery(trx: TenantTransaction) {
  return trx('scim_users as su').join('users as u', 'u.id', 'su.user_id');
}

export async function findScimUser(trx: TenantTransaction, id: string, options: { forUpdate?: boolean } = {}): Promise<ScimUserRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const query = scimUsersQuery(trx).where('su.user_id', id).first<ScimUserRow | undefined>(SCIM_USER_COLUMNS);
  return options.forUpdate ? query.forUpdate() : query;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The groups of each user, for the read-only `groups` attribute. */
export async function groupsOfUsers(trx: TenantTransaction, userIds: readonly string[]): Promise<Map<string, Array<{ id: string; display_name: string }>>> {
  const rows: Array<{ user_id: string; id: string; display_name: string }> =
    userIds.length === 0
      ? []
      : await trx('scim_group_members as m')
          .join('scim_groups as g', 'g.id', 'm.group_id')
          .whereIn('m.user_id', [...userIds])
          .orderBy('g.display_name')
          .select('m.user_id', 'g.id', 'g.display_name');
  const groups = new Map<string, Array<{ id: string; display_name: string }>>();
  for (const row of rows) groups.set(row.user_id, [...(groups.get(row.user_id) ?? []), { id: row.id, display_name: row.display_name }]);
  return groups;
}

/** The User resource of a row (RFC 7643 §4.1). */
export function toUserResource(row: ScimUserRow, groups: Array<{ id: string; display_name: string }>, baseUrl: string): Record<string, unknown> {
  const { name, displayName, emails } = row.attributes;
  return {
    schemas: [SCIM_SCHEMAS.user],
    id: row.user_id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.user_name,
    ...(name ? { name } : {}),
    ...(displayName ? { displayName } : {}),
    ...(emails && emails.length > 0 ? { emails } : {}),
    active: row.status === 'active',
    ...(groups.length > 0 ? { groups: groups.map((group) => ({ value: group.id, $ref: `${baseUrl}/Groups/${group.id}`, display: group.display_name })) } : {}),
    meta: {
      resourceType: 'User',
      created: new Date(row.created_at).toISOString(),
      lastModified: new Date(row.updated_at).toISOString(),
      location: `${baseUrl}/Users/${row.user_id}`,
    },
  };
}

function storedAttributes(input: ScimUserInput): ScimUserRow['attributes'] {
  return {
    ...(input.name ? { name: input.name } : {}),
    ...(input.displayName ? { displayName: input.displayName } : {}),
    ...(input.emails.length > 0 ? { emails: input.emails } : {}),
  };
}

function requireEmail(input: ScimUserInput): string {
  const email = hubEmailOf(input);
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw scimErrors.invalidValue('A user needs an e-mail address: send emails, or a userName that is one');
  return email;
}

async function assertUserNameFree(trx: TenantTransaction, userName: string, exceptUserId?: string): Promise<void> {
  const taken = await trx('scim_users')
    .whereRaw('lower(user_name) = lower(?)', [userName])
    .modify((query) => (exceptUserId ? query.whereNot({ user_id: exceptUserId }) : query))
    .first('user_id');
  if (taken) throw scimErrors.uniqueness(`userName ${userName} is already provisioned`);
}

async function assertAnotherActiveAdmin(trx: TenantTransaction, user: Pick<ScimUserRow, 'user_id' | 'role' | 'status'>): Promise<void> {
  if (user.role !== 'admin' || user.status !== 'active') return;
  const others = await trx('users').where({ role: 'admin', status: 'active' }).whereNot({ id: user.user_id }).forUpdate().select('id');
  if (others.length === 0) throw new ScimError(409, 'mutability', 'This is the tenant’s last active admin: make someone else admin in the console first');
}

/** Ends every console session of a user (a deactivated user must not keep working). Answers how many ended. */
async function endSessions(trx: TenantTransaction, userId: string): Promise<number> {
  return trx('user_sessions').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: trx.fn.now() });
}

/**
 * Provisions a user: a new hub user (status active, or suspended when `active` is false; the
 * role from the tenant's default, as the user is in no group yet), or, when a hub user with the
 * e-mail exists and no SCIM user holds it yet, that user (who keeps their role). Seats follow
 * the hub user's status through the seat counters on `users`.
 */
export async function createScimUser(trx: TenantTransaction, context: ScimContext, input: ScimUserInput): Promise<string> {
  const email = requireEmail(input);
  await assertUserNameFree(trx, input.userName);
  const status = input.active ? 'active' : 'suspended';
  const existing: { id: string; role: Role; status: ScimUserRow['status']; linked: string | null } | undefined = await trx('users as u')
    .leftJoin('scim_users as su', 'su.user_id', 'u.id')
    .whereRaw('lower(u.email) = ?', [email])
    .forUpdate('u')
    .first('u.id', 'u.role', 'u.status', 'su.user_id as linked');
  if (existing?.linked) throw scimErrors.uniqueness(`The e-mail ${email} belongs to another provisioned user`);
  let userId: string;
  if (existing) {
    userId = existing.id;
    if (!input.active) await assertAnotherActiveAdmin(trx, { user_id: existing.id, role: existing.role, status: existing.status });
    await trx('users')
      .where({ id: userId })
      .update({ name: hubNameOf(input), status, updated_at: trx.fn.now() });
  } else {
    userId = randomUUID();
    const role = await resolveRoleForGroups(trx, []);
    await trx('users').insert({ id: userId, tenant_id: context.tenantId, email, name: hubNameOf(input), role, status });
  }
  await trx('scim_users').insert({
    tenant_id: context.tenantId,
    user_id: userId,
    user_name: input.userName,
    external_id: input.externalId,
    attributes: JSON.stringify(storedAttributes(input)),
  });
  const revokedSessions = input.active ? 0 : await endSessions(trx, userId);
  await appendAudit(trx, {
    tenantId: context.tenantId,
    actor: context.actor,
    action: 'user.provisioned',
    target: { type: 'user', id: userId },
    details: {
      source: 'scim',
      linkedExistingUser: Boolean(existing),
      after: { email, userName: input.userName, externalId: input.externalId, status },
      revokedSessions,
    },
  });
  return userId;
}

/** Replaces a SCIM user's attributes (PUT, and PATCH once applied): e-mail, name and status of the hub user follow. */
export async function updateScimUser(trx: TenantTransaction, context: ScimContext, current: ScimUserRow, input: ScimUserInput): Promise<void> {
  if (input.userName.toLowerCase() !== current.user_name.toLowerCase()) await assertUserNameFree(trx, input.userName, current.user_id);
  const email = hubEmailOf(input) && /^[^\s@]+@[^\s@]+$/.test(hubEmailOf(input)!) ? hubEmailOf(input)! : current.email;
  if (email !== current.email.toLowerCase()) {
    const taken = await trx('users').whereRaw('lower(email) = ?', [email]).whereNot({ id: current.user_id }).first('id');
    if (taken) throw scimErrors.uniqueness(`The e-mail ${email} belongs to another user`);
  }
  const status = input.active ? (current.status === 'invited' ? 'invited' : 'active') : 'suspended';
  const deactivating = current.status !== 'suspended' && status === 'suspended';
  if (deactivating) await assertAnotherActiveAdmin(trx, current);
  await trx('users')
    .where({ id: current.user_id })
    .update({ email, name: hubNameOf(input), status, updated_at: trx.fn.now() });
  const attributes = storedAttributes(input);
  await trx('scim_users')
    .where({ user_id: current.user_id })
    .update({ user_name: input.userName, external_id: input.externalId, attributes: JSON.stringify(attributes), updated_at: trx.fn.now() });
  const revokedSessions = deactivating ? await endSessions(trx, current.user_id) : 0;
  const before = { userName: current.user_name, externalId: current.external_id, email: current.email, status: current.status, ...current.attributes };
  const after = { userName: input.userName, externalId: input.externalId, email, status, ...attributes };
  const changes = auditChanges(before, after);
  if (Object.keys(changes.after).length === 0 && Object.keys(changes.before).length === 0) return;
  await appendAudit(trx, {
    tenantId: context.tenantId,
    actor: context.actor,
    action: deactivating ? 'user.deactivated' : 'user.updated',
    target: { type: 'user', id: current.user_id },
    details: { source: 'scim', ...changes, ...(deactivating ? { revokedSessions } : {}) },
  });
}

/** Deprovisions a user: the hub user is removed (their seat, sessions and memberships with them). */
export async function deleteScimUser(trx: TenantTransaction, context: ScimContext, current: ScimUserRow): Promise<void> {
  await assertAnotherActiveAdmin(trx, current);
  await trx('users').where({ id: current.user_id }).del();
  await appendAudit(trx, {
    tenantId: context.tenantId,
    actor: context.actor,
    action: 'user.deprovisioned',
    target: { type: 'user', id: current.user_id },
    details: { source: 'scim', before: { email: current.email, userName: current.user_name, role: current.role, status: current.status } },
  });
}
