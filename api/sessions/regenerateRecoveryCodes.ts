import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { reauthenticate, reauthenticationSchema } from './reauthenticate';
import { mfaRow, replaceRecoveryCodes } from './secondFactor';
import { readCookie, SESSION_COOKIE } from './sessionCookies';

export const regenerateRecoveryCodes = defineRoute({
  method: 'post',
  path: '/v1/auth/mfa/recovery-codes',
  auth: 'public',
  summary: 'Replace the signed-in user’s recovery codes with ten new ones, shown this once (needs X-CSRF-Token and the current password or a code)',
  tags: ['sessions'],
  body: reauthenticationSchema,
  responses: {
    200: { description: 'The new codes; every earlier code stops working', schema: z.object({ recoveryCodes: z.array(z.string()) }) },
    400: { description: 'Neither a password nor a code was sent (REAUTHENTICATION_REQUIRED), or it is wrong (REAUTHENTICATION_FAILED)' },
    401: { description: 'No live session (UNAUTHENTICATED, SESSION_EXPIRED)' },
    403: { description: 'The CSRF token is missing or wrong (CSRF_TOKEN_INVALID)' },
    409: { description: 'MFA is not on (MFA_NOT_ENABLED)' },
    429: { description: 'Too many wrong passwords or codes for the account (SIGN_IN_LOCKED)' },
  },
  async handler({ deps, req, body }) {
    const principal = await authenticateSession(deps.db, req, requireSessionSecret(readCookie(req, SESSION_COOKIE)));
    const { userId } = principal.session!;
    const recoveryCodes = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const row = await mfaRow(trx, userId);
      if (!row?.enabled_at) throw errors.conflict('MFA_NOT_ENABLED', 'MFA is not on for this user');
      const verifiedWith = await reauthenticate(trx, { db: deps.db, vault: deps.vault, signIns: deps.controlPlane.signIns }, principal, req, body);
      const codes = await replaceRecoveryCodes(trx, principal.tenantId, userId);
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.mfa_recovery_codes_regenerated',
        target: { type: 'user', id: userId },
        details: { verifiedWith },
      });
      return codes;
    });
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { recoveryCodes } };
  },
});
