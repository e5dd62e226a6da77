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
  summary: "The tenant's users, oldest first; filter by role and status, search by e-mail or name (q)",
  tags: ['users'],
  query: pageQuery.extend({
    role: z.enum(ROLES).optional(),
    status: z.enum(USER_STATUSES).optional(),
    q: z
      .string()
      .trim()
      .max(200)
      .optional()
      .transform((fragment) => fragment || undefined)
      .describe('Users whose e-mail or name contains this, case-insensitively (wildcards are literal); empty means no search'),
  }),
  responses: { 200: { description: 'A page of users', schema: pageOf(userSchema) } },
  async handler({ deps, principal, query }) {
    const [page] = await deps.db.readAsTenant<{ data: string; total: string }>(principal.tenantId, usersPageStatement(principal.tenantId, query));
    return { status: 200, json: `{"data":${page!.data},"pagination":${JSON.stringify(pagination(query.page, query.limit, Number(page!.total)))}}` };
  },
});
