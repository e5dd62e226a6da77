import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { hashPassword, newPasswordSchema } from '../../platform/sessions/passwords';
import { defineRoute } from '../http/route';
import { toUserView, userSchema, type UserRow } from '../users/userView';
import { consumeLinkToken, linkInvalid } from './oneTimeLinks';

export const acceptInvitation = defineRoute({
  method: 'post',
  path: '/v1/auth/invitations/accept',
  auth: 'public',
  summary: 'Accept an invite with the token of its e-mailed link and set a password; the user becomes active',
  tags: ['sessions'],
  body: z.strictObject({ token: z.string().min(1).max(200).describe('The token from the link'), password: newPasswordSchema }),
  responses: {
    200: {
      description: 'The now active user and its tenant; sign in next with the tenant slug and the e-mail',
      schema: z.object({ user: userSchema, tenant: z.object({ slug: z.string().describe('What sign-in asks for as tenant') }) }),
    },
    400: { description: 'The link is invalid, expired or used (LINK_INVALID), or the password is too short (VALIDATION_FAILED)' },
  },
  async handler({ deps, body, req }) {
    const passwordHash = await hashPassword(body.password);
    const { user, tenantSlug } = await consumeLinkToken(deps.db, body.token, 'invite', async (trx, link) => {
      const [activated] = await trx<UserRow>('users')
        .where({ id: link.userId, status: 'invited' })
        .update({ status: 'active', updated_at: trx.fn.now() })
        .returning('*');
      if (!activated) throw linkInvalid();
      await trx('user_credentials')
        .insert({ tenant_id: link.tenantId, user_id: link.userId, password_hash: passwordHash })
        .onConflict('user_id')
        .merge({ password_hash: passwordHash, updated_at: trx.fn.now() });
      await appendAudit(trx, {
        tenantId: link.tenantId,
        actor: { type: 'user', id: link.userId, role: activated.role, ip: req.ip, requestId: String(req.id ?? '') || undefined },
        action: 'user.invitation_accepted',
        target: { type: 'user', id: link.userId },
        details: { after: { status: 'active' } },
      });
      const tenant = await trx('tenants').where({ id: link.tenantId }).first<{ slug: string }>('slug');
      return { user: activated, tenantSlug: tenant!.slug };
    });
    return { status: 200, body: { user: toUserView(user), tenant: { slug: tenantSlug } } };
  },
});
