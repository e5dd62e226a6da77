import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { auditChanges } from '../../platform/auditDiff';
import { auditActor } from '../auth/auditActor';
import { assertRoleWithinCaller } from '../auth/escalation';
import { ROLES } from '../auth/roles';
import { errors } from '../errors';
import { atLeastOneField } from '../http/patchSchema';
import { defineRoute } from '../http/route';
import { assertAnotherActiveAdmin } from './lastAdmin';
import { toUserView, USER_STATUSES, userIdParams, userSchema, type UserRow } from './userView';
import { nonBlankText } from '../http/textFields';

export const updateUser = defineRoute({
  method: 'patch',
  path: '/v1/users/:id',
  auth: 'tenant',
  summary: "Change a user's role, status or name",
  tags: ['users'],
  params: userIdParams,
  body: atLeastOneField(
    z.strictObject({ role: z.enum(ROLES).optional(), status: z.enum(USER_STATUSES).optional(), name: nonBlankText(200).optional() }),
    'send at least one of role, status, name',
  ),
  responses: {
    200: { description: 'The user', schema: z.object({ user: userSchema }) },
    403: { description: 'The user’s current or new role is above the caller’s (FORBIDDEN)' },
    404: { description: 'No such user in this tenant' },
    409: { description: 'It would leave the tenant without an active admin (LAST_ADMIN)' },
  },
  async handler({ deps, principal, params, body, req }) {
    const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const current = await trx<UserRow>('users').where({ id: params.id }).forUpdate().first();
      if (!current) throw errors.notFound('User');
      assertRoleWithinCaller(principal, current.role, 'change a user');
      if (body.role) assertRoleWithinCaller(principal, body.role, 'give a user');
      const demoted = (body.role && body.role !== 'admin') || (body.status && body.status !== 'active');
      if (demoted) await assertAnotherActiveAdmin(trx, current);
      const [updated] = await trx<UserRow>('users')
        .where({ id: params.id })
        .update({ ...body, updated_at: trx.fn.now() as never })
        .returning('*');
      const pick = (user: UserRow) => ({ role: user.role, status: user.status, name: user.name });
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.updated',
        target: { type: 'user', id: params.id },
        details: auditChanges(pick(current), pick(updated!)),
      });
      return updated!;
    });
    return { status: 200, body: { user: toUserView(row) } };
  },
});
