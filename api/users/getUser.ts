import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { toUserView, userIdParams, userSchema, type UserRow } from './userView';

export const getUser = defineRoute({
  method: 'get',
  path: '/v1/users/:id',
  auth: 'tenant',
  summary: 'One user',
  tags: ['users'],
  params: userIdParams,
  responses: { 200: { description: 'The user', schema: z.object({ user: userSchema }) }, 404: { description: 'No such user in this tenant' } },
  async handler({ deps, principal, params }) {
    const [row] = await deps.db.readAsTenant<UserRow>(principal.tenantId, deps.db.knex('users').where({ id: params.id }));
    if (!row) throw errors.notFound('User');
    return { status: 200, body: { user: toUserView(row) } };
  },
});
