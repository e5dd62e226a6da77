import { z } from 'zod';
import { RecipientRejectedError } from '../../platform/mail/mailer';
import { appendAudit } from '../../platform/audit';
import { durationMs } from '../../platform/config';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { consoleLink, issueLinkToken } from '../sessions/oneTimeLinks';
import { userIdParams, type UserRow } from './userView';

export const sendUserInvitation = defineRoute({
  method: 'post',
  path: '/v1/users/:id/invitation',
  auth: 'tenant',
  summary: 'E-mail an invited user a one-time link to set a password (INVITE_LINK_TTL); an earlier link stops working',
  tags: ['users'],
  params: userIdParams,
  responses: {
    202: { description: 'The invite was e-mailed', schema: z.object({ expiresAt: z.iso.datetime() }) },
    404: { description: 'No such user (NOT_FOUND)' },
    409: {
      description:
        "The user has already accepted an invite (USER_NOT_INVITED), or the mail server refused the user's address (EMAIL_REJECTED): correct the address",
    },
    503: { description: 'No SMTP server is configured or it refused the message (MAIL_UNAVAILABLE)' },
  },
  async handler({ deps, principal, params, req }) {
    const { user, link } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const found = await trx<UserRow>('users').where({ id: params.id }).first();
      if (!found) throw errors.notFound('User');
      if (found.status !== 'invited') throw errors.conflict('USER_NOT_INVITED', 'This user is not waiting for an invite');
      const issued = await issueLinkToken(trx, {
        tenantId: principal.tenantId,
        userId: found.id,
        purpose: 'invite',
        ttlMs: durationMs(deps.config.INVITE_LINK_TTL),
      });
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.invitation_sent',
        target: { type: 'user', id: found.id },
        details: { expiresAt: issued.expiresAt.toISOString() },
      });
      return { user: found, link: issued };
    });
    const sent = await deps.controlPlane.mailer
      .send({
        to: user.email,
        subject: `You are invited to ${principal.tenantSlug} on Integration Hub`,
        text: `Hello ${user.name},\n\nSet your password to join ${principal.tenantSlug}:\n\n${consoleLink(deps.config, 'invite', link.token)}\n\nThe link works once and expires at ${link.expiresAt.toISOString()}.\n`,
      })
      .catch((error: unknown) => {
        if (error instanceof RecipientRejectedError) throw errors.conflict('EMAIL_REJECTED', `The invite was not sent: ${error.message}`);
        deps.logger.warn({ err: error }, 'invite e-mail could not be sent');
        return false;
      });
    if (!sent) throw errors.unavailable('MAIL_UNAVAILABLE', 'The invite e-mail could not be sent; check SMTP_URL and retry');
    return { status: 202, body: { expiresAt: link.expiresAt.toISOString() } };
  },
});
