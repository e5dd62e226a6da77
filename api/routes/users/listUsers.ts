import { z } from 'zod';
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
    const filtered = () => {
      const q = db.knex('users').where({ tenant_id: principal.tenantId });
      if (query.role) q.where({ role: query.role });
      if (query.status) q.where({ status: query.status });
      return q;
    };
    // One round trip: the page and the total (window count) in one statement.
    const rows = await db.readAsTenant<UserRow & { total: string }>(
      principal.tenantId,
      filtered()
        .select(db.knex.raw(USER_COLUMNS_SQL), db.knex.raw('count(*) over () as total'))
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit),
    );
    let total = rows[0] ? Number(rows[0].total) : 0;
    if (rows.length === 0 && query.page > 1) {
      const [counted] = await db.readAsTenant<{ count: string }>(principal.tenantId, filtered().count({ count: '*' }));
      total = Number(counted?.count ?? 0);
    }
    return { status: 200, body: { data: rows.map(toUserView), pagination: pagination(query.page, query.limit, total) } };
  },
});
