import { appendAudit } from '../../platform/audit';
import { effectiveSettings } from '../../platform/tenants/settings';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { reauthenticate, reauthenticationSchema } from './reauthenticate';
import { mfaRow } from './secondFactor';
import { readCookie, SESSION_COOKIE } from './sessionCookies';

export const disableMfa = defineRoute({
  method: 'delete',
  path: '/v1/auth/mfa',
  auth: 'public',
  summary: "Turn the signed-in user's TOTP MFA off, proven with the current password or a code (needs X-CSRF-Token); the recovery codes go too",
  tags: ['sessions'],
  body: reauthenticationSchema,
  responses: {
    204: { description: 'MFA is off; sign-in needs only the password from now' },
    400: { description: 'Neither a password nor a code was sent (REAUTHENTICATION_REQUIRED), or it is wrong (REAUTHENTICATION_FAILED)' },
    401: { description: 'No live session (UNAUTHENTICATED, SESSION_EXPIRED)' },
    403: { description: 'The CSRF token is missing or wrong (CSRF_TOKEN_INVALID)' },
    409: { description: 'MFA is not on (MFA_NOT_ENABLED), or the tenant requires it (MFA_REQUIRED_BY_TENANT)' },
    429: { description: 'Too many wrong passwords or codes for the account (SIGN_IN_LOCKED)' },
  },
  async handler({ deps, req, body }) {
    const principal = await authenticateSession(deps.db, req, requireSessionSecret(readCookie(req, SESSION_COOKIE)));
    const { userId } = principal.session!;
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      const row = await mfaRow(trx, userId);
      if (!row?.enabled_at) throw errors.conflict('MFA_NOT_ENABLED', 'MFA is not on for this user');
      const tenant = await trx('tenants').where({ id: principal.tenantId }).first<{ settings: Record<string, unknown> }>('settings');
      if (effectiveSettings(principal.plan, tenant?.settings ?? {}).security.mfaRequired) {
        throw errors.conflict('MFA_REQUIRED_BY_TENANT', 'This tenant requires MFA for every user: it cannot be turned off');
      }
      const verifiedWith = await reauthenticate(trx, { db: deps.db, vault: deps.vault, signIns: deps.controlPlane.signIns }, principal, req, body);
      await trx('user_recovery_codes').where({ user_id: userId }).delete();
      await trx('user_mfa').where({ user_id: userId }).delete();
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.mfa_disabled',
        target: { type: 'user', id: userId },
        details: { verifiedWith },
      });
    });
    return { status: 204 };
  },
});
