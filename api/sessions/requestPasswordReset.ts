import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { durationMs } from '../../platform/config';
import { defineRoute } from '../http/route';
import { type UserRow } from '../users/userView';
import { consoleLink, issueLinkToken } from './oneTimeLinks';
import { accountKey } from './signInThrottle';
import { tenantBySlug } from './tenantBySlug';

export const requestPasswordReset = defineRoute({
  method: 'post',
  path: '/v1/auth/password-resets',
  auth: 'public',
  summary: 'E-mail an active user a one-time password reset link (PASSWORD_RESET_LINK_TTL); answers 202 whether the e-mail exists or not',
  tags: ['sessions'],
  body: z.strictObject({ tenant: z.string().min(1).max(48).describe('The tenant slug'), email: z.string().trim().min(3).max(320) }),
  responses: {
    202: { description: 'If the e-mail belongs to an active user of the tenant, a link is on its way', schema: z.object({ accepted: z.literal(true) }) },
    429: { description: 'The account or address is locked by failed sign-ins (SIGN_IN_LOCKED)' },
  },
  async handler({ deps, body, req }) {
    // Locked accounts stay locked: a reset link would not help an attacker guessing, but the request would hammer the mailer.
    await deps.controlPlane.signIns.assertAllowed(accountKey(body.tenant, body.email), req.ip ?? 'unknown');
    const tenant = await tenantBySlug(deps.db, body.tenant);
    const issued = tenant
      ? await deps.db.withTenant(tenant.id, async (trx) => {
          const user = await trx<UserRow>('users').whereRaw('lower(email) = lower(?)', [body.email]).where({ status: 'active' }).first();
          if (!user) return undefined;
          const link = await issueLinkToken(trx, {
            tenantId: tenant.id,
            userId: user.id,
            purpose: 'password_reset',
            ttlMs: durationMs(deps.config.PASSWORD_RESET_LINK_TTL),
          });
          await appendAudit(trx, {
            tenantId: tenant.id,
            actor: { type: 'user', id: user.id, ip: req.ip, requestId: String(req.id ?? '') || undefined },
            action: 'user.password_reset_requested',
            target: { type: 'user', id: user.id },
          });
          return { user, link };
        })
      : undefined;
    if (issued) {
      await deps.controlPlane.mailer
        .send({
          to: issued.user.email,
          subject: 'Reset your Integration Hub password',
          text: `Hello ${issued.user.name},\n\nChoose a new password here:\n\n${consoleLink(deps.config, 'reset-password', issued.link.token)}\n\nThe link works once and expires at ${issued.link.expiresAt.toISOString()}. If you did not ask for it, ignore this e-mail.\n`,
        })
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'password reset e-mail could not be sent'));
    }
    return { status: 202, body: { accepted: true as const } };
  },
});
