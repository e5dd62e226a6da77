import { type Database } from '../../platform/db';
import { type Logger } from '../../platform/logger';

/**
 * Keeps `api_keys.last_used_at` current without a write per request: at most one update per key
 * per interval from each process, and the statement itself skips keys another replica touched
 * within the interval. Fire-and-forget: the request never waits for it.
 */
export class LastUsedTracker {
  private readonly lastWrite = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: { db: Database; logger: Logger; intervalMs: number }) {}

  touch(tenantId: string, keyId: string, now = Date.now()): void {
    const last = this.lastWrite.get(keyId);
    if (last !== undefined && now - last < this.options.intervalMs) return;
    this.lastWrite.set(keyId, now);
    if (this.lastWrite.size > 100_000) this.lastWrite.clear();
    const seconds = Math.floor(this.options.intervalMs / 1000);
    const write = this.options.db
      .withTenant(tenantId, (trx) =>
        trx('api_keys')
          .where({ id: keyId })
          .where((q) => q.whereNull('last_used_at').orWhereRaw(`last_used_at < now() - make_interval(secs => ?)`, [seconds]))
          .update({ last_used_at: trx.fn.now() }),
      )
      .then(() => undefined)
      .catch((error: unknown) => this.options.logger.warn({ err: error, keyId }, 'could not update api key last_used_at'))
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  /** Waits for updates already started (graceful shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}
