import { Resolver } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { type HubConfig } from '../config';
import { type Database } from '../db';

/** A domain name as the hub stores it: lowercase, no trailing dot, at least two labels of letters, digits and hyphens. */
export const DOMAIN_PATTERN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** A domain as a request may spell it: any case, an optional trailing dot (no look-ahead, so JSON Schema tools can generate it). */
export const DOMAIN_INPUT_PATTERN = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?$/;

/** The domain part of an e-mail address, lowercased ('' when there is none). */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0
    ? ''
    : email
        .slice(at + 1)
        .toLowerCase()
        .replace(/\.$/, '');
}

/** A fresh verification token (what the TXT record must carry). */
export function newVerificationToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Where the tenant publishes the TXT record, and what it holds. */
export function verificationRecord(domain: string, token: string): { name: string; type: 'TXT'; value: string } {
  return { name: `_hub-verification.${domain}`, type: 'TXT', value: `hub-verification=${token}` };
}

/**
 * Asks DNS for the verification TXT record: through IDENTITY_DNS_SERVER when set (tests point it
 * at a local stub), else the system's resolvers. Answers whether one of the TXT strings is exactly
 * the expected value, or the resolver's error code.
 */
export async function checkVerificationRecord(
  config: Pick<HubConfig, 'IDENTITY_DNS_SERVER'>,
  domain: string,
  token: string,
): Promise<{ verified: true } | { verified: false; reason: string }> {
  const record = verificationRecord(domain, token);
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (config.IDENTITY_DNS_SERVER) resolver.setServers([config.IDENTITY_DNS_SERVER]);
  try {
    const answers = await resolver.resolveTxt(record.name);
    // A TXT record may come split in several strings: they are one value joined.
    if (answers.some((parts) => parts.join('') === record.value)) return { verified: true };
    return { verified: false, reason: `no TXT record ${record.name} with the value ${record.value}` };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'ERROR';
    return { verified: false, reason: code === 'ENOTFOUND' || code === 'ENODATA' ? `no TXT record at ${record.name}` : `DNS lookup failed (${code})` };
  }
}

/**
 * The tenant that verified `domain`, if any (platform scope: the sign-in page looks up an e-mail's
 * tenant before anyone is signed in). A verified domain belongs to one tenant only.
 */
export async function tenantOfVerifiedDomain(db: Database, domain: string): Promise<string | undefined> {
  if (!DOMAIN_PATTERN.test(domain)) return undefined;
  const row = await db.withPlatform((trx) =>
    trx('identity_domains').where({ domain }).whereNotNull('verified_at').first<{ tenant_id: string } | undefined>('tenant_id'),
  );
  return row?.tenant_id;
}
