import { randomUUID } from 'node:crypto';
import { type HubConfig } from '../../platform/config';
import { type Database, type TenantTransaction } from '../../platform/db';
import { newTenantToken, parseTenantToken } from '../../platform/sessions/tenantTokens';
import { errors } from '../errors';

/** What a one-time link is for. */
export type LinkPurpose = 'invite' | 'password_reset';

/**
 * Issues a single-use link token for `userId` (valid for `ttlMs`); earlier unused links of the same
 * purpose stop working, so only the newest e-mail's link does.
 */
export async function issueLinkToken(
  trx: TenantTransaction,
  link: { tenantId: string; userId: string; purpose: LinkPurpose; ttlMs: number },
): Promise<{ token: string; expiresAt: Date }> {
  const { token, hash } = newTenantToken(link.tenantId);
  const expiresAt = new Date(Date.now() + link.ttlMs);
  await trx('user_tokens').where({ user_id: link.userId, purpose: link.purpose }).whereNull('used_at').update({ used_at: trx.fn.now() });
  await trx('user_tokens').insert({
    id: randomUUID(),
    tenant_id: link.tenantId,
    user_id: link.userId,
    purpose: link.purpose,
    token_hash: hash,
    expires_at: expiresAt,
  });
  return { token, expiresAt };
}

/** 400 LINK_INVALID: the same answer for a malformed, unknown, expired or used link. */
export const linkInvalid = () => errors.badRequest('LINK_INVALID', 'The link is invalid, has expired or was already used');

/**
 * Spends a link token inside the tenant's transaction and runs `fn` with its user; the token is
 * marked used in the same transaction, so a link works once even when two requests race.
 */
export async function consumeLinkToken<T>(
  db: Database,
  token: string,
  purpose: LinkPurpose,
  fn: (trx: TenantTransaction, link: { tenantId: string; userId: string }) => Promise<T>,
): Promise<T> {
  const parsed = parseTenantToken(token);
  if (!parsed) throw linkInvalid();
  return db.withTenant(parsed.tenantId, async (trx) => {
    const [spent] = await trx('user_tokens')
      .where({ token_hash: parsed.hash, purpose })
      .whereNull('used_at')
      .where('expires_at', '>', trx.fn.now())
      .update({ used_at: trx.fn.now() })
      .returning<Array<{ user_id: string }>>('user_id');
    if (!spent) throw linkInvalid();
    return fn(trx, { tenantId: parsed.tenantId, userId: spent.user_id });
  });
}

/** The console page a link opens; the token rides in the fragment, which browsers never send to a server. */
export function consoleLink(config: Pick<HubConfig, 'CONSOLE_URL' | 'PUBLIC_URL' | 'PORT'>, page: string, token: string): string {
  const base = config.CONSOLE_URL ?? `${config.PUBLIC_URL ?? `http://localhost:${config.PORT}`}/console`;
  return `${base.replace(/\/+$/, '')}/${page}#token=${token}`;
}
