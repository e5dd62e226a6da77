import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { isUniqueViolation } from '../../platform/db';
import { newUserSchema } from '../../platform/users/newUserSchema';
import { auditActor } from '../auth/auditActor';
import { assertRoleWithinCaller } from '../auth/escalation';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { toUserView, userSchema, type UserRow } from './userView';

export const createUser = defineRoute({
  method: 'post',
  path: '/v1/users',
  auth: 'tenant',
  summary: 'Invite a user (status invited); e-mail addresses are unique per tenant, case-insensitively',
  tags: ['users'],
  body: newUserSchema,
  responses: {
    201: { description: 'The user', schema: z.object({ user: userSchema }) },
    403: { description: 'The role is above the caller’s (FORBIDDEN)' },
    409: { description: 'A user with this e-mail exists (EMAIL_TAKEN)' },
  },
  async handler({ deps, principal, body, req }) {
    assertRoleWithinCaller(principal, body.role, 'create a user');
    try {
      const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
        const [inserted] = await trx<UserRow>('users')
          .insert({ id: randomUUID(), tenant_id: principal.tenantId, email: body.email, name: body.name, role: body.role, status: 'invited' })
          .returning('*');
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: auditActor(principal, req),
          action: 'user.created',
          target: { type: 'user', id: inserted!.id },
          details: { after: { email: body.email, role: body.role, status: 'invited' } },
        });
        return inserted!;
      });
      return { status: 201, body: { user: toUserView(row) } };
    } catch (error) {
      if (isUniqueViolation(error, 'users_tenant_email_unique')) throw errors.conflict('EMAIL_TAKEN', `A user with e-mail ${body.email} already exists`);
      throw error;
    }
  },
});
