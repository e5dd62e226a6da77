import { type PlanId } from '../../platform/billing/catalogue';
import { type Database } from '../../platform/db';
import { currentLimitRaises } from '../../platform/limits/limitRaises';
import { LimitPolicy } from '../../platform/limits/limitPolicy';
import { type Logger } from '../../platform/logger';

interface Entry {
  policy?: LimitPolicy;
  loadedAt: number;
  loading?: Promise<LimitPolicy>;
}

/**
 * Each tenant's {@link LimitPolicy} (settings and scheduled raises) in memory, re-read when older
 * than `refreshMs` and dropped when the tenant's settings change (the credential listener's
 * notification, or this replica's own PATCH). The policy holds every raise that has not ended, so
 * raises start and end on time without a reload; only a raise created on another replica waits
 * up to `refreshMs` to be seen there.
 */
export class LimitPolicyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: { db: Database; logger: Logger; refreshMs: number }) {}

  async policyOf(tenantId: string, plan: PlanId): Promise<LimitPolicy> {
    let entry = this.entries.get(tenantId);
    if (!entry) {
      if (this.entries.size > 50_000) this.entries.clear();
      entry = { loadedAt: 0 };
      this.entries.set(tenantId, entry);
    }
    const fresh = entry.policy && entry.policy.plan === plan && Date.now() - entry.loadedAt <= this.options.refreshMs;
    if (fresh) return entry.policy!;
    if (entry.policy && entry.policy.plan === plan) {
      // Stale: answer from memory and refresh in the background.
      if (!entry.loading) void this.load(tenantId, plan, entry).catch(() => undefined);
      return entry.policy;
    }
    return entry.loading ?? this.load(tenantId, plan, entry);
  }

  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  clear(): void {
    this.entries.clear();
  }

  private load(tenantId: string, plan: PlanId, entry: Entry): Promise<LimitPolicy> {
    entry.loading = this.options.db
      .withTenant(tenantId, async (trx) => {
        const tenant = (await trx('tenants').where({ id: tenantId }).first('settings')) as { settings: unknown } | undefined;
        return new LimitPolicy(plan, tenant?.settings ?? {}, await currentLimitRaises(trx, tenantId));
      })
      .then((policy) => {
        if (this.entries.get(tenantId) === entry) {
          entry.policy = policy;
          entry.loadedAt = Date.now();
        }
        return policy;
      })
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error, tenantId }, 'could not read the tenant’s limits');
        if (entry.policy) return entry.policy;
        throw error;
      })
      .finally(() => {
        entry.loading = undefined;
      });
    return entry.loading;
  }
}
