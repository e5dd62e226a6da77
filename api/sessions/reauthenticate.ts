import { type Request } from 'express';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { type Database, type TenantTransaction } from '../../platform/db';
import { verifyPassword } from '../../platform/sessions/passwords';
import { type Vault } from '../../platform/vault/vault';
import { auditActor } from '../auth/auditActor';
import { type TenantPrincipal } from '../auth/principal';
import { ApiError, errors } from '../errors';
import { type UserRow } from '../users/userView';
import { mfaRow, secondFactorAccepted } from './secondFactor';
import { accountKey, type SignInThrottle } from './signInThrottle';

/** What a sensitive change of a signed-in user's own security asks for: the current password or a current code. */
export const reauthenticationSchema = z.strictObject({
  password: z.string().min(1).max(256).optional().describe('The current password'),
  totpCode: z.string().max(16).optional().describe('A current code of the authenticator app (instead of the password)'),
  recoveryCode: z.string().max(32).optional().describe('An unused recovery code (instead of the password; spent by this call)'),
});
export type Reauthentication = z.infer<typeof reauthenticationSchema>;

/**
 * Proves that the person holding the session is its user before a change of their own security
 * (turning MFA off, new recovery codes): a stolen session alone is not enough. A wrong answer counts
 * as a failed sign-in of the account (the same budget and 429 SIGN_IN_LOCKED), so a session cannot be
 * used to guess the password; it is audited as `user.reauthentication_failed` (in a transaction of its
 * own: the caller's rolls back). Answers how the user proved it, for the caller's audit row.
 */
export async function reauthenticate(
  trx: TenantTransaction,
  deps: { db: Database; vault: Vault; signIns: SignInThrottle },
  principal: TenantPrincipal,
  req: Request,
  presented: Reauthentication,
): Promise<'password' | 'totp' | 'recovery_code'> {
  const given = (['password', 'totpCode', 'recoveryCode'] as const).filter((field) => presented[field] !== undefined);
  if (given.length !== 1) throw errors.badRequest('REAUTHENTICATION_REQUIRED', 'Send exactly one of password, totpCode or recoveryCode');
  const userId = principal.session!.userId;
  const user = await trx<UserRow>('users').where({ id: userId }).first();
  if (!user) throw errors.unauthenticated();
  const account = accountKey(principal.tenantSlug, user.email);
  const address = req.ip ?? 'unknown';
  await deps.signIns.assertAllowed(account, address);
  let accepted: boolean;
  if (presented.password !== undefined) {
    const credential = await trx('user_credentials').where({ user_id: userId }).first<{ password_hash: string } | undefined>('password_hash');
    accepted = await verifyPassword(credential?.password_hash, presented.password);
  } else {
    const row = await mfaRow(trx, userId);
    accepted = !!row?.enabled_at && (await secondFactorAccepted(trx, deps.vault, { tenantId: principal.tenantId, userId, row }, presented));
  }
  if (!accepted) {
    await deps.signIns.recordFailure(account, address);
    const method = presented.password !== undefined ? 'password' : presented.totpCode !== undefined ? 'totp' : 'recovery_code';
    await deps.db.withTenant(principal.tenantId, (audit) =>
      appendAudit(audit, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'user.reauthentication_failed',
        target: { type: 'user', id: userId },
        details: { method, for: `${req.method} ${req.path}` },
      }),
    );
    throw new ApiError(400, 'REAUTHENTICATION_FAILED', 'The password or code is wrong');
  }
  return presented.password !== undefined ? 'password' : presented.totpCode !== undefined ? 'totp' : 'recovery_code';
}
