import { hashApiKey } from '../apiKeys';
import { newTenantToken, parseTenantToken } from '../sessions/tenantTokens';

/**
 * SCIM bearer tokens read `hub_scim_<tenant id>.<32 random bytes, base64url>`. The prefix lets
 * secret scanners and the log redaction recognise them; the tenant id lets authentication open
 * that tenant's rows under RLS before it knows the caller, so a token can never reach another
 * tenant's rows. Like API keys, only the SHA-256 of the whole token is stored.
 */
export const SCIM_TOKEN_PREFIX = 'hub_scim_';

export interface GeneratedScimToken {
  /** The secret, shown to the admin once. */
  token: string;
  hash: string;
  /** The last four characters: enough to tell tokens apart in a list, useless to an attacker. */
  hint: string;
}

export function generateScimToken(tenantId: string): GeneratedScimToken {
  const token = `${SCIM_TOKEN_PREFIX}${newTenantToken(tenantId).token}`;
  return { token, hash: hashApiKey(token), hint: token.slice(-4) };
}

/** The tenant and hash of a well-formed SCIM token; undefined for anything else (no lookup needed). */
export function parseScimToken(candidate: string): { tenantId: string; hash: string } | undefined {
  if (!candidate.startsWith(SCIM_TOKEN_PREFIX)) return undefined;
  const parsed = parseTenantToken(candidate.slice(SCIM_TOKEN_PREFIX.length));
  return parsed ? { tenantId: parsed.tenantId, hash: hashApiKey(candidate) } : undefined;
}
