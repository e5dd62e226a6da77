import { type TenantPrincipal } from './principal';
import { type Role } from './roles';

/** What authentication needs about one key and its tenant; cached by lookup prefix. */
export interface CachedCredential {
  keyId: string;
  keyHash: string;
  role: Role;
  scopes: string[] | null;
  expiresAt: number | null;
  revoked: boolean;
  tenant: {
    id: string;
    slug: string;
    status: TenantPrincipal['tenantStatus'];
    plan: TenantPrincipal['plan'];
    ipAllowlist: string[];
  };
}

interface Entry {
  credential: CachedCredential;
  storedAt: number;
}

/**
 * In-process cache of authenticated credentials, so a request with a known key costs no database
 * round trip. Correctness rests on invalidation, not on the TTL: a LISTEN connection evicts keys
 * and tenants the moment the database says they changed (revocation, role, suspension, plan,
 * settings). While that connection is down the cache is disabled, and the TTL bounds the damage of
 * a notification lost in between. A lookup racing an invalidation is not cached (epoch check).
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  private readonly prefixesByKey = new Map<string, string>();
  private readonly prefixesByTenant = new Map<string, Set<string>>();
  private generation = 0;
  private active = false;

  constructor(private readonly options: { ttlMs: number; maxEntries: number }) {}

  /** True while invalidations are being received (the listener sets it). */
  get enabled(): boolean {
    return this.active && this.options.ttlMs > 0;
  }

  setEnabled(enabled: boolean): void {
    this.active = enabled;
    this.clear();
  }

  /** Read before a database lookup; pass to {@link set} so a lookup racing an invalidation is dropped. */
  epoch(): number {
    return this.generation;
  }

  get(prefix: string, now = Date.now()): CachedCredential | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(prefix);
    if (!entry) return undefined;
    if (now - entry.storedAt > this.options.ttlMs) {
      this.remove(prefix);
      return undefined;
    }
    return entry.credential;
  }

  set(prefix: string, credential: CachedCredential, epochAtLookup: number, now = Date.now()): void {
    if (!this.enabled || epochAtLookup !== this.generation) return;
    if (this.entries.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: evict the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    this.remove(prefix);
    this.entries.set(prefix, { credential, storedAt: now });
    this.prefixesByKey.set(credential.keyId, prefix);
    let prefixes = this.prefixesByTenant.get(credential.tenant.id);
    if (!prefixes) this.prefixesByTenant.set(credential.tenant.id, (prefixes = new Set()));
    prefixes.add(prefix);
  }

  invalidateKey(keyId: string): void {
    this.generation += 1;
    const prefix = this.prefixesByKey.get(keyId);
    if (prefix !== undefined) this.remove(prefix);
  }

  invalidateTenant(tenantId: string): void {
    this.generation += 1;
    for (const prefix of [...(this.prefixesByTenant.get(tenantId) ?? [])]) this.remove(prefix);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.prefixesByKey.clear();
    this.prefixesByTenant.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(prefix: string): void {
    const entry = this.entries.get(prefix);
    if (!entry) return;
    this.entries.delete(prefix);
    this.prefixesByKey.delete(entry.credential.keyId);
    const prefixes = this.prefixesByTenant.get(entry.credential.tenant.id);
    prefixes?.delete(prefix);
    if (prefixes?.size === 0) this.prefixesByTenant.delete(entry.credential.tenant.id);
  }
}
