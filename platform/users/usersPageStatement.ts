import { type SqlStatement } from '../db';

/** The filters and page of `GET /v1/users`. */
export interface UsersPageQuery {
  page: number;
  limit: number;
  role?: string;
  status?: string;
  /** A fragment of the e-mail or name, matched case-insensitively anywhere in either. */
  q?: string;
}

/** `q` as an `ilike` pattern that matches it literally: `%`, `_` and the backslash lose their wildcard meaning. */
export function containsPattern(fragment: string): string {
  return `%${fragment.replace(/[\\%_]/g, (special) => `\\${special}`)}%`;
}

const pageSql = new Map<string, string>();

/**
 * The hottest list of the API in one round trip and one row: Postgres concatenates the page's
 * users, each already rendered as its API object (`users.api_json`, a stored generated column:
 * rendering at read time was most of the page's Postgres cost), and counts the filtered users
 * (window count; a separate count only when the page is empty). Nothing to parse or re-serialise
 * in Node, no query built per request: the SQL is a constant per filter combination, prepared
 * once per connection (a search adds one parameter, not a new text per fragment). Each object has `userSchema`'s shape (api/routes/users/userView.ts), which non-production runs check
 * on every response.
 */
export function usersPageStatement(tenantId: string, query: UsersPageQuery): SqlStatement {
  const values: unknown[] = [tenantId];
  const filters = ['tenant_id = $1'];
  if (query.role) filters.push(`role = $${values.push(query.role)}`);
  if (query.status) filters.push(`status = $${values.push(query.status)}`);
  // Both sides use the trigram index users_search_trgm (migration 20261203110000).
  if (query.q) {
    const pattern = `$${values.push(containsPattern(query.q))}`;
    filters.push(`(email ilike ${pattern} or name ilike ${pattern})`);
  }
  const where = filters.join(' and ');
  let sql = pageSql.get(where);
  if (!sql) {
    sql = `select '[' || coalesce(string_agg(p.api_json, ',' order by p.created_at, p.id), '') || ']' as data,
        coalesce(max(p.total), (select count(*) from users where ${where})) as total
      from (select api_json, created_at, id, count(*) over () as total from users where ${where}
            order by created_at asc, id asc limit $${values.length + 1} offset $${values.length + 2}) p`;
    pageSql.set(where, sql);
  }
  values.push(query.limit, (query.page - 1) * query.limit);
  return { sql, values };
}
