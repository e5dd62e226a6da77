import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request } from 'express';
import { hashesEqual, parseApiKey } from '../../platform/apiKeys';
import { type Database } from '../../platform/db';
import { errors } from '../errors';
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

interface KeyRow {
  id: string;
  tenant_id: string;
  key_hash: string;
  role: Role;
  scopes: string[] | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

interface TenantRow {
  id: string;
  slug: string;
  status: 'active' | 'suspended';
  plan: TenantPrincipal['plan'];
}

/**
 * Resolves an API key to its tenant and role. Malformed, unknown, revoked and expired keys all
 * answer the same 401, so the response tells an attacker nothing about which it was.
 */
export async function authenticateTenant(db: Database, req: Request): Promise<TenantPrincipal> {
  const presented = presentedApiKey(req);
  if (!presented) throw errors.unauthenticated('Send your API key in X-API-Key or Authorization: Bearer');
  const parsed = parseApiKey(presented);
  if (!parsed) throw errors.unauthenticated('The API key is invalid, expired or revoked');

  // RLS: presenting a key's lookup prefix is what makes that key row and its tenant row visible.
  const [row] = await db.readWithSettings<KeyRow & Omit<TenantRow, 'id'>>(
    { 'app.api_key_prefix': parsed.lookupPrefix },
    db
      .knex('api_keys as k')
      .join('tenants as t', 't.id', 'k.tenant_id')
      .select('k.id', 'k.tenant_id', 'k.key_hash', 'k.role', 'k.scopes', 'k.expires_at', 'k.revoked_at', 't.slug', 't.status', 't.plan')
      .where('k.key_prefix', parsed.lookupPrefix)
      .limit(1),
  );
  const found = row ? { key: row, tenant: { id: row.tenant_id, slug: row.slug, status: row.status, plan: row.plan } } : undefined;

  const now = Date.now();
  if (
    !found ||
    !hashesEqual(found.key.key_hash, parsed.hash) ||
    found.key.revoked_at !== null ||
    (found.key.expires_at !== null && found.key.expires_at.getTime() <= now)
  ) {
    throw errors.unauthenticated('The API key is invalid, expired or revoked');
  }
  return {
    kind: 'tenant',
    tenantId: found.tenant.id,
    tenantSlug: found.tenant.slug,
    tenantStatus: found.tenant.status,
    plan: found.tenant.plan,
    keyId: found.key.id,
    role: found.key.role,
    scopes: found.key.scopes,
  };
}

/** Checks `Authorization: Bearer <HUB_ADMIN_TOKEN>` in constant time. */
export function authenticateAdmin(adminToken: string | undefined, req: Request): AdminPrincipal {
  const authorization = req.headers.authorization;
  const presented = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : '';
  if (!adminToken || !presented || !constantTimeEquals(presented, adminToken)) {
    throw errors.unauthenticated('The platform admin token is missing or wrong');
  }
  return { kind: 'admin' };
}

function constantTimeEquals(a: string, b: string): boolean {
  // Hash first so the comparison does not leak the token's length.
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
