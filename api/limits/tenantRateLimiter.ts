import { type Knex } from 'knex';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { type Logger } from '../../platform/logger';

/** The outcome of one rate-limit check, with what the RateLimit-* headers report. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window (approximate across replicas). */
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

interface Lease {
  tokens: number;
  expiresAt: number;
  blockedUntil: number;
  remainingGlobal: number;
  pending?: Promise<void>;
}

/**
 * Per-tenant requests-per-second limits shared by every API replica, without a database write per
 * request: **token leasing** over rate-limiter-flexible's Postgres store.
 *
 * The shared budget of a tenant is `limit` tokens per one-second window, counted in Postgres (the
 * `rate_limits` table). A replica takes tokens from that budget in leases of `limit / leasesPerWindow`
 * (at least 1) and serves requests from its lease in memory; when the lease is used up it takes
 * another, and when the budget is exhausted it refuses until the window resets. Consistency: the
 * total admitted across replicas never exceeds `limit` per window (leases are carved from one
 * atomic counter); a replica may hold tokens it does not use, so under skewed load the effective
 * limit can be lower by up to one lease per replica. One round trip per lease, not per request.
 *
 * When Postgres does not answer, rate-limiter-flexible's insurance limiter (in memory) takes over:
 * each replica then enforces the limit on its own (at most replicas × limit overall).
 */
export class TenantRateLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly stores = new Map<number, RateLimiterPostgres>();

  constructor(private readonly options: { knex: Knex; logger: Logger; leasesPerWindow: number; tableName?: string }) {}

  async take(tenantId: string, limit: number): Promise<RateDecision> {
    let renewals = 0;
    for (;;) {
      const lease = this.leaseOf(tenantId);
      const now = Date.now();
      if (lease.blockedUntil > now) return { allowed: false, limit, remaining: 0, resetMs: lease.blockedUntil - now };
      if (lease.tokens > 0 && lease.expiresAt > now) {
        lease.tokens -= 1;
        return { allowed: true, limit, remaining: lease.tokens + lease.remainingGlobal, resetMs: lease.expiresAt - now };
      }
      if (lease.pending) {
        // Another request of this tenant is renewing the lease: share its result.
        await lease.pending;
        continue;
      }
      if (renewals >= 3) {
        // Three of our own leases expired before we could use them (clock trouble): let it through.
        return { allowed: true, limit, remaining: 0, resetMs: 1_000 };
      }
      renewals += 1;
      lease.pending = this.renew(tenantId, lease, limit).finally(() => {
        lease.pending = undefined;
      });
      await lease.pending;
    }
  }

  private leaseOf(tenantId: string): Lease {
    let lease = this.leases.get(tenantId);
    if (!lease) {
      if (this.leases.size > 50_000) this.leases.clear();
      lease = { tokens: 0, expiresAt: 0, blockedUntil: 0, remainingGlobal: 0 };
      this.leases.set(tenantId, lease);
    }
    return lease;
  }

  private async renew(tenantId: string, lease: Lease, limit: number): Promise<void> {
    const size = Math.max(1, Math.ceil(limit / this.options.leasesPerWindow));
    try {
      const granted = await this.store(limit).consume(tenantId, size);
      this.grant(lease, size, granted.msBeforeNext, granted.remainingPoints);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) {
        // Neither Postgres nor the insurance limiter answered: fail open for this lease only.
        this.options.logger.error({ err: error, tenantId }, 'rate limiter unavailable; admitting one lease');
        this.grant(lease, size, 1_000, 0);
        return;
      }
      // Over budget: the counter now includes our whole ask; what was left before it is ours.
      const before = error.consumedPoints - size;
      const left = Math.max(0, limit - before);
      if (left > 0) this.grant(lease, left, error.msBeforeNext, 0);
      else {
        lease.tokens = 0;
        lease.blockedUntil = Date.now() + Math.max(error.msBeforeNext, 1);
      }
    }
  }

  private grant(lease: Lease, tokens: number, msBeforeNext: number, remainingGlobal: number): void {
    const now = Date.now();
    lease.tokens = tokens;
    lease.expiresAt = now + Math.max(msBeforeNext, 1);
    lease.blockedUntil = 0;
    lease.remainingGlobal = remainingGlobal;
  }

  private store(limit: number): RateLimiterPostgres {
    let store = this.stores.get(limit);
    if (!store) {
      store = new RateLimiterPostgres({
        storeClient: this.options.knex,
        storeType: 'knex',
        tableName: this.options.tableName ?? 'rate_limits',
        tableCreated: true,
        keyPrefix: `rps${limit}`,
        points: limit,
        duration: 1,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `rps${limit}-insurance`, points: limit, duration: 1 }),
      });
      this.stores.set(limit, store);
    }
    return store;
  }
}
