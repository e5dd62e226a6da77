import { randomUUID } from 'node:crypto';
import { type TenantTransaction } from '../db';
import { hashToken, newTenantToken } from '../sessions/tenantTokens';

/** A started SSO sign-in waiting for the identity provider's answer. */
export interface LoginStateRow {
  id: string;
  tenant_id: string;
  connection_id: string;
  state_hash: string;
  purpose: 'sign_in' | 'test';
  nonce: string | null;
  code_verifier: string | null;
  saml_request_id: string | null;
  next_path: string | null;
  requested_by: string | null;
  result: unknown;
  used_at: Date | null;
  expires_at: Date;
  created_at: Date;
}

/**
 * Records a started sign-in. The state handed to the browser is a tenant token
 * (`<tenant id>.<random>`), so the callback opens the right tenant under RLS; only its hash is kept.
 */
export async function createLoginState(
  trx: TenantTransaction,
  fields: Pick<LoginStateRow, 'tenant_id' | 'connection_id' | 'purpose'> &
    Partial<Pick<LoginStateRow, 'nonce' | 'code_verifier' | 'saml_request_id' | 'next_path' | 'requested_by'>> & { ttlMs: number },
): Promise<{ state: string; id: string }> {
  const { token, hash } = newTenantToken(fields.tenant_id);
  const id = randomUUID();
  const { ttlMs, ...row } = fields;
  await trx('identity_login_states').insert({ ...row, id, state_hash: hash, expires_at: new Date(Date.now() + ttlMs) });
  return { state: token, id };
}

/**
 * Spends a login state: found by the hash of what the browser brought back, unused and unexpired,
 * marked used in the same statement (two racing callbacks cannot both spend it).
 */
export async function spendLoginState(
  trx: TenantTransaction,
  where: { state: string } | { connectionId: string; samlRequestId: string },
): Promise<LoginStateRow | undefined> {
  const query = trx<LoginStateRow>('identity_login_states').whereNull('used_at').where('expires_at', '>', trx.fn.now());
  if ('state' in where) query.where({ state_hash: hashToken(where.state) });
  else query.where({ connection_id: where.connectionId, saml_request_id: where.samlRequestId });
  const [row] = await query.update({ used_at: trx.fn.now() as never }).returning('*');
  return row;
}
