import { z } from 'zod';
import { type SqlStatement } from '../../../platform/db';
import { ROLES } from '../../auth/roles';
import { defineRoute } from '../../http/route';
import { pageOf, pageQuery, pagination } from '../../http/pagination';
import { toUserView, USER_COLUMNS_SQL, USER_STATUSES, userSchema, type UserRow } from './userView';

export const listUsers = defineRoute({
  method: 'get',
  path: '/v1/users',
  auth: 'tenant',
  summary: "The tenant's users, oldest first; filter by role and status",
  tags: ['users'],
  query: pageQuery.extend({ role: z.enum(ROLES).optional(), status: z.enum(USER_STATUSES).optional() }),
  responses: { 200: { description: 'A page of users', schema: pageOf(userSchema) } },
  async handler({ deps, principal, query }) {
    const { db } = deps;
    // One round trip: the page and the total (window count) in one statement.
    const rows = await db.readAsTenant<UserRow & { total: string }>(principal.tenantId, usersPageStatement(principal.tenantId, query));
    let total = rows[0] ? Number(rows[0].total) : 0;
    if (rows.length === 0 && query.page > 1) {
      const counted = db.knex('users').where({ tenant_id: principal.tenantId });
      if (query.role) counted.where({ role: query.role });
      if (query.status) counted.where({ status: query.status });
      const [row] = await db.readAsTenant<{ count: string }>(principal.tenantId, counted.count({ count: '*' }));
      total = Number(row?.count ?? 0);
    }
    return { status: 200, body: { data: rows.map(toUserView), pagination: pagination(query.page, query.limit, total) } };
  },
});

interface UsersPageQuery {
  page: number;
  limit: number;
  role?: string;
  status?: string;
}

const pageSql = new Map<string, string>();

/**
 * The page query as constant SQL with placeholders (one text per filter combination): the hottest
 * list of the API builds no query per request, and each text is prepared once per connection.
 */
function usersPageStatement(tenantId: string, query: UsersPageQuery): SqlStatement {
  const values: unknown[] = [tenantId];
  const filters = ['tenant_id = $1'];
  if (query.role) filters.push(`role = $${values.push(query.role)}`);
  if (query.status) filters.push(`status = $${values.push(query.status)}`);
  const key = filters.join(' and ');
  let sql = pageSql.get(key);
  if (!sql) {
    sql = `select ${USER_COLUMNS_SQL}, count(*) over () as total from users where ${key} order by created_at asc, id asc limit $${values.length + 1} offset $${values.length + 2}`;
    pageSql.set(key, sql);
  }
  values.push(query.limit, (query.page - 1) * query.limit);
  return { sql, values };
}
