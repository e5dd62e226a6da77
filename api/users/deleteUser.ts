import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { assertRoleWithinCaller } from '../auth/escalation';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { assertAnotherActiveAdmin } from './lastAdmin';
import { userIdParams, type UserRow } from './userView';

export const deleteUser = defineRoute({
  method: 'delete',
  path: '/v1/users/:id',
  auth: 'tenant',
  summary: 'Remove a user (frees the seat)',
  tags: ['users'],
  params: userIdParams,
  responses: {
    204: { description: 'Removed' },
    403: { description: 'The user’s role is above the caller’s (FORBIDDEN)' },
    404: { description: 'No such user in this tenant' },
    409: { description: 'The last active admin (LAST_ADMIN)' },
  },
  async handler({ deps, principal, params, req }) {
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      const current = await trx<UserRow>('users').where({ id: params.id }).forUpdate().first();
      if (!current) throw errors.notFound('User');
      assertRoleWithinCaller(principal, current.role, 'remove a user');
      await assertAnotherActiveAdmin(trx, current);
      await trx('users').where({ id: params.id }).del();
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.deleted',
        target: { type: 'user', id: params.id },
        details: { before: { email: current.email, role: current.role, status: current.status } },
      });
    });
    return { status: 204 };
  },
});
