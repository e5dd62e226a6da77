import { type Database } from '../../platform/db';
import { type Logger } from '../../platform/logger';
import { monthlyUsage } from '../../platform/metering/recordUsage';
import { type FlushedUsage } from '../../platform/metering/usageRecorder';
import { USAGE_KINDS, usagePeriodOf } from '../../platform/metering/usageEvent';

interface TenantQuota {
  period: string;
  /** The monthly counter in Postgres as last seen (all replicas' flushed calls). */
  stored: number;
  /** Calls this process admitted that are not flushed yet. */
  unflushed: number;
  syncedAt: number;
  loading?: Promise<void>;
  /** Bumped by every flush; a load that started before a flush must not overwrite it. */
  version: number;
}

export interface QuotaDecision {
  allowed: boolean;
  used: number;
  limit: number;
  /** Seconds until the next calendar month (UTC). */
  resetSeconds: number;
}

/**
 * Monthly API-call quota for plans that refuse past it (starter). Used = the monthly counter in
 * Postgres (refreshed by every usage flush, which returns the new total, and re-read when older than
 * `refreshMs`) + this process's calls not flushed yet. Exact within one replica; across replicas it
 * can overshoot by what other replicas admitted since their last flush (about one flush interval).
 * Only the first request of a tenant in a process pays a round trip.
 */
export class QuotaTracker {
  private readonly tenants = new Map<string, TenantQuota>();

  constructor(private readonly options: { db: Database; logger: Logger; refreshMs: number }) {}

  async check(tenantId: string, limit: number, now = new Date()): Promise<QuotaDecision> {
    const state = await this.stateOf(tenantId, now);
    const used = state.stored + state.unflushed;
    return { allowed: used < limit, used, limit, resetSeconds: secondsToNextMonth(now) };
  }

  /** Counts one admitted call (call after {@link check} allowed it). */
  admit(tenantId: string, quantity = 1): void {
    const state = this.tenants.get(tenantId);
    if (state) state.unflushed += quantity;
  }

  /** UsageRecorder listener: flushed calls move from `unflushed` to `stored`. */
  onFlushed = (flushed: FlushedUsage): void => {
    const state = this.tenants.get(flushed.tenantId);
    if (!state) return;
    const added = flushed.added.get(`${state.period}|${USAGE_KINDS.apiCall}`) ?? 0;
    state.unflushed = Math.max(0, state.unflushed - added);
    const total = flushed.totals.find((row) => row.period === state.period && row.kind === USAGE_KINDS.apiCall);
    if (total) {
      state.stored = total.quantity;
      state.syncedAt = Date.now();
      state.version += 1;
    }
  };

  private async stateOf(tenantId: string, now: Date): Promise<TenantQuota> {
    const period = usagePeriodOf(now);
    let state = this.tenants.get(tenantId);
    if (!state || state.period !== period) {
      state = { period, stored: 0, unflushed: 0, syncedAt: 0, version: 0 };
      this.tenants.set(tenantId, state);
      await this.load(tenantId, state, now);
    } else if (Date.now() - state.syncedAt > this.options.refreshMs && !state.loading) {
      // Stale (no local traffic flushed lately): refresh in the background, answer from memory.
      void this.load(tenantId, state, now);
    }
    if (state.loading && state.syncedAt === 0) await state.loading;
    return state;
  }

  private load(tenantId: string, state: TenantQuota, now: Date): Promise<void> {
    const version = state.version;
    state.loading = monthlyUsage(this.options.db, tenantId, USAGE_KINDS.apiCall, now)
      .then((stored) => {
        if (state.version === version) {
          state.stored = stored;
          state.syncedAt = Date.now();
        }
      })
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error, tenantId }, 'could not read monthly usage; quota uses the last known count');
        state.syncedAt = Date.now();
      })
      .finally(() => {
        state.loading = undefined;
      });
    return state.loading;
  }
}

function secondsToNextMonth(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}
