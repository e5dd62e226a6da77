import { z } from 'zod';
import { newTotpSecret } from '../../platform/sessions/totp';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { type UserRow } from '../users/userView';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { mfaRow, totpSecretContext } from './secondFactor';
import { readCookie, SESSION_COOKIE } from './sessionCookies';

export const startMfaEnrolment = defineRoute({
  method: 'post',
  path: '/v1/auth/mfa/enrolment',
  auth: 'public',
  summary: 'Start TOTP enrolment for the signed-in user (needs X-CSRF-Token): the secret and otpauth URI, shown this once',
  tags: ['sessions'],
  responses: {
    201: {
      description: 'Scan the URI (or type the secret) into an authenticator app, then confirm with a code',
      schema: z.object({ secret: z.string().describe('base32 TOTP secret'), otpauthUri: z.string() }),
    },
    401: { description: 'No live session (UNAUTHENTICATED, SESSION_EXPIRED)' },
    403: { description: 'The CSRF token is missing or wrong (CSRF_TOKEN_INVALID)' },
    409: { description: 'MFA is already enabled for this user (MFA_ALREADY_ENABLED)' },
  },
  async handler({ deps, req }) {
    const principal = await authenticateSession(deps.db, req, requireSessionSecret(readCookie(req, SESSION_COOKIE)), { allowMfaPending: true });
    const { userId } = principal.session!;
    const enrolment = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const existing = await mfaRow(trx, userId);
      if (existing?.enabled_at) throw errors.conflict('MFA_ALREADY_ENABLED', 'MFA is already enabled for this user');
      const user = await trx<UserRow>('users').where({ id: userId }).first();
      const fresh = newTotpSecret(`${principal.tenantSlug}:${user!.email}`);
      const sealed = await deps.vault.sealJson(trx, principal.tenantId, totpSecretContext(userId), fresh.secret);
      await trx('user_mfa')
        .insert({ tenant_id: principal.tenantId, user_id: userId, secret_ciphertext: sealed.ciphertext, secret_data_key_id: sealed.dataKeyId })
        .onConflict('user_id')
        .merge({ secret_ciphertext: sealed.ciphertext, secret_data_key_id: sealed.dataKeyId, last_step: null, created_at: trx.fn.now() });
      return fresh;
    });
    return { status: 201, headers: { 'Cache-Control': 'no-store' }, body: { secret: enrolment.secret, otpauthUri: enrolment.uri } };
  },
});
