import { type FilterColumn } from '../../platform/scim/scimFilterSql';

const emailColumns: Record<string, FilterColumn> = {
  value: { kind: 'text', sql: `(e->>'value')` },
  type: { kind: 'text', sql: `(e->>'type')` },
  primary: { kind: 'boolean', sql: `(e->>'primary')::boolean` },
};

/** The User attributes a filter may name, over `scim_users su join users u`. */
export const USER_FILTER_COLUMNS: Record<string, FilterColumn> = {
  id: { kind: 'text', sql: 'su.user_id::text', caseExact: true },
  username: { kind: 'text', sql: 'su.user_name' },
  externalid: { kind: 'text', sql: 'su.external_id', caseExact: true },
  displayname: { kind: 'text', sql: `(su.attributes->>'displayName')` },
  'name.givenname': { kind: 'text', sql: `(su.attributes #>> '{name,givenName}')` },
  'name.familyname': { kind: 'text', sql: `(su.attributes #>> '{name,familyName}')` },
  'name.formatted': { kind: 'text', sql: `(su.attributes #>> '{name,formatted}')` },
  emails: { kind: 'elements', from: `jsonb_array_elements(coalesce(su.attributes->'emails', '[]'::jsonb))`, columns: emailColumns, defaultSub: 'value' },
  active: { kind: 'boolean', sql: `(u.status = 'active')` },
  'meta.created': { kind: 'timestamp', sql: 'su.created_at' },
  'meta.lastmodified': { kind: 'timestamp', sql: 'su.updated_at' },
};
