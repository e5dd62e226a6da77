import { type FilterColumn } from '../../platform/scim/scimFilterSql';

/** The Group attributes a filter may name, over `scim_groups g`. */
export const GROUP_FILTER_COLUMNS: Record<string, FilterColumn> = {
  id: { kind: 'text', sql: 'g.id::text', caseExact: true },
  displayname: { kind: 'text', sql: 'g.display_name' },
  externalid: { kind: 'text', sql: 'g.external_id', caseExact: true },
  // `members eq "<user id>"` and `members[value eq "<user id>"]` (Entra ID asks whether a user is in a group).
  members: {
    kind: 'elements',
    from: `(select m.user_id::text as value from scim_group_members m where m.group_id = g.id)`,
    columns: { value: { kind: 'text', sql: 'e.value', caseExact: true } },
    defaultSub: 'value',
  },
  'meta.created': { kind: 'timestamp', sql: 'g.created_at' },
  'meta.lastmodified': { kind: 'timestamp', sql: 'g.updated_at' },
};
