import { z } from 'zod';
import { ROLES } from '../auth/roles';
import { defineRoute } from '../http/route';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { usersPageStatement } from '../../platform/users/usersPageStatement';
import { USER_STATUSES, userSchema } from './userView';

export const listUsers = defineRoute({
  method: 'get',
  path: '/v1/users',
  auth: 'tenant',
  summary: "The tenant's users, oldest first; filter by role and status",
  tags: ['users'],
  query: pageQuery.extend({ role: z.enum(ROLES).optional(), status: z.enum(USER_STATUSES).optional() }),
  responses: { 200: { description: 'A page of users', schema: pageOf(userSchema) } },
  async handler({ deps, principal, query }) {
    const [page] = await deps.db.readAsTenant<{ data: string; total: string }>(principal.tenantId, usersPageStatement(principal.tenantId, query));
    return { status: 200, json: `{"data":${page!.data},"pagination":${JSON.stringify(pagination(query.page, query.limit, Number(page!.total)))}}` };
  },
});
