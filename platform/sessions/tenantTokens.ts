import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets handed to a browser or an inbox (session cookies, invite and reset links) read
 * `<tenant id>.<32 random bytes, base64url>`. The tenant id is not secret: it lets the API open the
 * right tenant's rows under RLS before it knows who the caller is. Only the SHA-256 of the whole
 * token is stored.
 */
export interface TenantToken {
  token: string;
  hash: string;
}

const TOKEN_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/** A new token for `tenantId` and its hash. */
export function newTenantToken(tenantId: string): TenantToken {
  const token = `${tenantId}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

/** The tenant and hash of a well-formed token; undefined for anything else. */
export function parseTenantToken(token: string): { tenantId: string; hash: string } | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { tenantId: match[1]!, hash: hashToken(token) } : undefined;
}

/** SHA-256 (hex) of a token: what the database keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
