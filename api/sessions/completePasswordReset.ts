import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { hashPassword, newPasswordSchema } from '../../platform/sessions/passwords';
import { defineRoute } from '../http/route';
import { type UserRow } from '../users/userView';
import { consumeLinkToken, linkInvalid } from './oneTimeLinks';

export const completePasswordReset = defineRoute({
  method: 'post',
  path: '/v1/auth/password-resets/complete',
  auth: 'public',
  summary: 'Set a new password with the token of a reset link; every session of the user is signed out',
  tags: ['sessions'],
  body: z.strictObject({ token: z.string().min(1).max(200).describe('The token from the link'), password: newPasswordSchema }),
  responses: {
    204: { description: 'The password is changed; sign in with it' },
    400: { description: 'The link is invalid, expired or used (LINK_INVALID), or the password is too short (VALIDATION_FAILED)' },
  },
  async handler({ deps, body, req }) {
    const passwordHash = await hashPassword(body.password);
    await consumeLinkToken(deps.db, body.token, 'password_reset', async (trx, link) => {
      const user = await trx<UserRow>('users').where({ id: link.userId, status: 'active' }).first();
      if (!user) throw linkInvalid();
      await trx('user_credentials')
        .insert({ tenant_id: link.tenantId, user_id: link.userId, password_hash: passwordHash })
        .onConflict('user_id')
        .merge({ password_hash: passwordHash, updated_at: trx.fn.now() });
      const revoked = await trx('user_sessions').where({ user_id: link.userId }).whereNull('revoked_at').update({ revoked_at: trx.fn.now() });
      await appendAudit(trx, {
        tenantId: link.tenantId,
        actor: { type: 'user', id: link.userId, role: user.role, ip: req.ip, requestId: String(req.id ?? '') || undefined },
        action: 'user.password_reset',
        target: { type: 'user', id: link.userId },
        details: { revokedSessions: revoked },
      });
    });
    return { status: 204 };
  },
});
