import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request } from 'express';
import { hashesEqual, parseApiKey } from '../../platform/apiKeys';
import { type Database } from '../../platform/db';
import { inCidrs } from '../../platform/network/addressPolicy';
import { ApiError, errors } from '../errors';
import { type CachedCredential, type CredentialCache } from './credentialCache';
import { type AdminPrincipal, type TenantPrincipal } from './principal';
import { type Role } from './roles';

/** The key a request presents: `X-API-Key`, or `Authorization: Bearer hub_sk_…`. */
export function presentedApiKey(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  const authorization = req.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  return undefined;
}

interface CredentialRow {
  id: string;
  tenant_id: string;
  key_hash: string;
  role: Role;
  scopes: string[] | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  slug: string;
  status: TenantPrincipal['tenantStatus'];
  plan: TenantPrincipal['plan'];
  ip_allowlist: string[] | null;
}

/**
 * Resolves an API key to its tenant and role. Malformed, unknown, revoked and expired keys all
 * answer the same 401, so the response tells an attacker nothing about which it was. A key seen
 * recently is answered from the in-process {@link CredentialCache} (no database round trip); the
 * hash is compared in constant time either way. A tenant with an IP allowlist refuses other
 * addresses with 403 IP_NOT_ALLOWED.
 */
export async function authenticateTenant(db: Database, req: Request, cache?: CredentialCache): Promise<TenantPrincipal> {
  const presented = presentedApiKey(req);
  if (!presented) throw errors.unauthenticated('Send your API key in X-API-Key or Authorization: Bearer');
  const parsed = parseApiKey(presented);
  if (!parsed) throw errors.unauthenticated(INVALID_KEY);

  let credential = cache?.get(parsed.lookupPrefix);
  if (!credential) {
    const epoch = cache?.epoch() ?? 0;
    credential = await lookupCredential(db, parsed.lookupPrefix);
    if (credential && cache) cache.set(parsed.lookupPrefix, credential, epoch);
  }
  if (
    !credential ||
    !hashesEqual(credential.keyHash, parsed.hash) ||
    credential.revoked ||
    (credential.expiresAt !== null && credential.expiresAt <= Date.now())
  ) {
    throw errors.unauthenticated(INVALID_KEY);
  }
  const { tenant } = credential;
  if (tenant.ipAllowlist.length > 0 && !inCidrs(req.ip ?? '', tenant.ipAllowlist)) {
    throw new ApiError(403, 'IP_NOT_ALLOWED', "This tenant's IP allowlist does not include the caller's address");
  }
  return {
    kind: 'tenant',
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    tenantStatus: tenant.status,
    plan: tenant.plan,
    keyId: credential.keyId,
    role: credential.role,
    scopes: credential.scopes,
  };
}

const INVALID_KEY = 'The API key is invalid, expired or revoked';

async function lookupCredential(db: Database, lookupPrefix: string): Promise<CachedCredential | undefined> {
  // RLS: presenting a key's lookup prefix is what makes that key row and its tenant row visible.
  const [row] = await db.readWithSettings<CredentialRow>(
    { 'app.api_key_prefix': lookupPrefix },
    db
      .knex('api_keys as k')
      .join('tenants as t', 't.id', 'k.tenant_id')
      .select('k.id', 'k.tenant_id', 'k.key_hash', 'k.role', 'k.scopes', 'k.expires_at', 'k.revoked_at', 't.slug', 't.status', 't.plan')
      .select(db.knex.raw(`coalesce(array(select jsonb_array_elements_text(t.settings #> '{security,ipAllowlist}')), '{}') as ip_allowlist`))
      .where('k.key_prefix', lookupPrefix)
      .limit(1),
  );
  if (!row) return undefined;
  return {
    keyId: row.id,
    keyHash: row.key_hash,
    role: row.role,
    scopes: row.scopes,
    expiresAt: row.expires_at?.getTime() ?? null,
    revoked: row.revoked_at !== null,
    tenant: { id: row.tenant_id, slug: row.slug, status: row.status, plan: row.plan, ipAllowlist: row.ip_allowlist ?? [] },
  };
}

/** Checks `Authorization: Bearer <HUB_ADMIN_TOKEN>` in constant time. */
export function authenticateAdmin(adminToken: string | undefined, req: Request): AdminPrincipal {
  const authorization = req.headers.authorization;
  const presented = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : '';
  if (!adminTokenMatches(adminToken, presented)) {
    throw errors.unauthenticated('The platform admin token is missing or wrong');
  }
  return { kind: 'admin' };
}

/** Whether `presented` is the configured admin token (constant time; false when either is empty). */
export function adminTokenMatches(adminToken: string | undefined, presented: string | undefined): boolean {
  return Boolean(adminToken && presented && constantTimeEquals(presented, adminToken));
}

function constantTimeEquals(a: string, b: string): boolean {
  // Hash first so the comparison does not leak the token's length.
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
