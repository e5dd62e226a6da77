import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { acceptedTotpStep } from '../../platform/sessions/totp';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { mfaRow, openTotpSecret, replaceRecoveryCodes } from './secondFactor';
import { readCookie, SESSION_COOKIE } from './sessionCookies';

export const confirmMfaEnrolment = defineRoute({
  method: 'post',
  path: '/v1/auth/mfa/enrolment/confirm',
  auth: 'public',
  summary: 'Confirm TOTP enrolment with a current code (needs X-CSRF-Token): MFA is on from now, and ten recovery codes are shown this once',
  tags: ['sessions'],
  body: z.strictObject({ totpCode: z.string().max(16).describe('The current code of the authenticator app') }),
  responses: {
    200: { description: 'MFA is enabled', schema: z.object({ recoveryCodes: z.array(z.string()) }) },
    400: { description: 'The code is wrong (MFA_CODE_INVALID), or no enrolment was started (MFA_NOT_STARTED)' },
    401: { description: 'No live session (UNAUTHENTICATED, SESSION_EXPIRED)' },
    403: { description: 'The CSRF token is missing or wrong (CSRF_TOKEN_INVALID)' },
    409: { description: 'MFA is already enabled for this user (MFA_ALREADY_ENABLED)' },
  },
  async handler({ deps, req, body }) {
    const principal = await authenticateSession(deps.db, req, requireSessionSecret(readCookie(req, SESSION_COOKIE)), { allowMfaPending: true });
    const session = principal.session!;
    const recoveryCodes = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const row = await mfaRow(trx, session.userId);
      if (!row) throw errors.badRequest('MFA_NOT_STARTED', 'Start the enrolment first: POST /v1/auth/mfa/enrolment');
      if (row.enabled_at) throw errors.conflict('MFA_ALREADY_ENABLED', 'MFA is already enabled for this user');
      const secret = await openTotpSecret(trx, deps.vault, principal.tenantId, session.userId, row);
      if (acceptedTotpStep(secret, body.totpCode, null) === undefined)
        throw errors.badRequest('MFA_CODE_INVALID', 'The code does not match; check the device clock and retry');
      await trx('user_mfa').where({ user_id: session.userId }).update({ enabled_at: trx.fn.now() });
      // This session proved the second factor just now: it may be used fully.
      await trx('user_sessions').where({ id: session.id }).update({ mfa_pending: false });
      const codes = await replaceRecoveryCodes(trx, principal.tenantId, session.userId);
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.mfa_enabled',
        target: { type: 'user', id: session.userId },
      });
      return codes;
    });
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { recoveryCodes } };
  },
});
