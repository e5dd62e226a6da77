import { randomUUID } from 'node:crypto';
import { type TenantTransaction } from '../../platform/db';
import { hashRecoveryCode, newRecoveryCodes } from '../../platform/sessions/recoveryCodes';
import { acceptedTotpStep } from '../../platform/sessions/totp';
import { type Vault } from '../../platform/vault/vault';

/** The vault context (AAD) of a user's TOTP secret. */
export const totpSecretContext = (userId: string) => `user:${userId}:totp`;

interface MfaRow {
  secret_ciphertext: string;
  secret_data_key_id: string;
  enabled_at: Date | null;
  last_step: string | null;
}

/** The user's TOTP enrolment row, confirmed or not. */
export function mfaRow(trx: TenantTransaction, userId: string): Promise<MfaRow | undefined> {
  return trx('user_mfa').where({ user_id: userId }).first<MfaRow | undefined>();
}

/** The TOTP secret of an enrolment, unsealed. */
export function openTotpSecret(trx: TenantTransaction, vault: Vault, tenantId: string, userId: string, row: MfaRow): Promise<string> {
  return vault.openJson<string>(trx, tenantId, totpSecretContext(userId), { ciphertext: row.secret_ciphertext, dataKeyId: row.secret_data_key_id });
}

/**
 * Checks the second factor of a sign-in: a TOTP code (its time step is remembered, so the same
 * code cannot sign in twice) or an unused recovery code (spent by this check).
 */
export async function secondFactorAccepted(
  trx: TenantTransaction,
  vault: Vault,
  who: { tenantId: string; userId: string; row: MfaRow },
  presented: { totpCode?: string; recoveryCode?: string },
): Promise<boolean> {
  if (presented.totpCode !== undefined) {
    const secret = await openTotpSecret(trx, vault, who.tenantId, who.userId, who.row);
    const step = acceptedTotpStep(secret, presented.totpCode, who.row.last_step === null ? null : Number(who.row.last_step));
    if (step === undefined) return false;
    // Conditional on the step read: two sign-ins racing with one code cannot both pass.
    const updated = await trx('user_mfa')
      .where({ user_id: who.userId })
      .andWhere((query) => query.whereNull('last_step').orWhere('last_step', '<', step))
      .update({ last_step: step });
    return updated === 1;
  }
  if (presented.recoveryCode !== undefined) {
    const spent = await trx('user_recovery_codes')
      .where({ user_id: who.userId, code_hash: hashRecoveryCode(presented.recoveryCode) })
      .whereNull('used_at')
      .update({ used_at: trx.fn.now() });
    return spent === 1;
  }
  return false;
}

/** Replaces the user's recovery codes with ten new ones and answers them (shown once). */
export async function replaceRecoveryCodes(trx: TenantTransaction, tenantId: string, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await trx('user_recovery_codes').where({ user_id: userId }).delete();
  await trx('user_recovery_codes').insert(codes.map((code) => ({ id: randomUUID(), tenant_id: tenantId, user_id: userId, code_hash: hashRecoveryCode(code) })));
  return codes;
}
