import { type Database } from '../db';
import { type Logger } from '../logger';
import { insertUsageEvents, stampUsageEvent, usageInsertStatement, usageTotalsOf, type StampedUsageEvent, type UsageTotal } from './recordUsage';
import { usagePeriodOf, type UsageEvent } from './usageEvent';

const FLUSH_CONCURRENCY = 3;
/** Tenants whose events one flush message (one transaction) carries. */
const TENANTS_PER_MESSAGE = 200;

/** What one flush wrote for one tenant: the quantities it added and the counters' new totals. */
export interface FlushedUsage {
  tenantId: string;
  /** Quantity added per `period|kind` by this flush. */
  added: Map<string, number>;
  totals: UsageTotal[];
}

export interface UsageRecorderOptions {
  db: Database;
  logger: Logger;
  /** How often buffered events are written. */
  flushIntervalMs: number;
  /** A flush starts early once this many events wait. */
  batchSize: number;
  /** Past this many unwritten events (e.g. Postgres down for long), the oldest are dropped and logged. */
  maxBuffered: number;
}

/**
 * Buffered usage metering for the API's hot path: `record()` only appends to memory; a timer (or a
 * full batch) writes the buffer with one statement per tenant, every tenant's statement in one
 * transaction and one round trip ({@link Database.writeAsTenants}); if that fails, tenant by
 * tenant, so one tenant's failure holds back no other. Failed writes go back into the buffer
 * and are retried; `drain()` (graceful shutdown) writes everything before the process exits.
 * Events carry ids made at record time, so a retried write never counts twice.
 */
export class UsageRecorder {
  private buffer: StampedUsageEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly listeners: Array<(flushed: FlushedUsage) => void> = [];
  private droppedTotal = 0;

  constructor(private readonly options: UsageRecorderOptions) {}

  /** Buffers one event (no I/O). */
  record(event: UsageEvent): void {
    this.buffer.push(stampUsageEvent(event));
    if (this.buffer.length > this.options.maxBuffered) {
      const dropped = this.buffer.splice(0, this.buffer.length - this.options.maxBuffered);
      this.droppedTotal += dropped.length;
      this.options.logger.error(
        { dropped: dropped.length, droppedTotal: this.droppedTotal },
        'usage buffer full: oldest events dropped (is Postgres reachable?)',
      );
    }
    if (this.buffer.length >= this.options.batchSize && !this.flushing) void this.flush();
  }

  /** Called after each tenant's events are written (quota tracking listens). */
  onFlushed(listener: (flushed: FlushedUsage) => void): void {
    this.listeners.push(listener);
  }

  get pending(): number {
    return this.buffer.length;
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /**
   * Writes what is buffered now (waits for a flush already running, then runs another if events
   * remain). Never rejects: failures are logged and the events stay buffered.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    this.flushing = this.writeBuffered().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** Stops the timer and writes everything, retrying for up to `timeoutMs`. Returns what could not be written. */
  async drain(timeoutMs = 10_000): Promise<{ written: boolean; left: number }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length > 0 || this.flushing) {
      await this.flush();
      if (this.buffer.length === 0) break;
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (this.buffer.length > 0) this.options.logger.error({ left: this.buffer.length }, 'usage events could not be written before shutdown');
    return { written: this.buffer.length === 0, left: this.buffer.length };
  }

  private async writeBuffered(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    const byTenant = new Map<string, StampedUsageEvent[]>();
    for (const event of batch) {
      const list = byTenant.get(event.tenantId);
      if (list) list.push(event);
      else byTenant.set(event.tenantId, [event]);
    }
    const groups = [...byTenant];
    const failed: StampedUsageEvent[] = [];
    for (let start = 0; start < groups.length; start += TENANTS_PER_MESSAGE) {
      const chunk = groups.slice(start, start + TENANTS_PER_MESSAGE);
      try {
        // Every tenant of the chunk in one transaction and one round trip.
        const answers = await this.options.db.writeAsTenants(
          chunk.map(([tenantId, events]) => ({ tenantId, statement: usageInsertStatement(tenantId, events) })),
        );
        chunk.forEach(([tenantId, events], index) => this.notify(tenantId, events, usageTotalsOf(answers[index]!)));
      } catch (error) {
        // One tenant's failure must not hold back the others: write the chunk tenant by tenant.
        this.options.logger.warn({ err: error, tenants: chunk.length }, 'usage flush failed; writing tenant by tenant');
        failed.push(...(await this.writeEachTenant(chunk)));
      }
    }
    if (failed.length > 0) this.buffer = [...failed, ...this.buffer];
  }

  /** Writes each tenant's events in its own transaction, a few at a time; answers the events that failed. */
  private async writeEachTenant(groups: Array<[string, StampedUsageEvent[]]>): Promise<StampedUsageEvent[]> {
    const failed: StampedUsageEvent[] = [];
    const pending = [...groups];
    const lanes = Array.from({ length: Math.min(FLUSH_CONCURRENCY, pending.length) }, async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        const [tenantId, events] = next;
        try {
          this.notify(tenantId, events, await this.options.db.withTenant(tenantId, (trx) => insertUsageEvents(trx, tenantId, events)));
        } catch (error) {
          failed.push(...events);
          this.options.logger.warn({ err: error, tenantId, events: events.length }, 'usage flush failed; events stay buffered');
        }
      }
    });
    await Promise.all(lanes);
    return failed;
  }

  private notify(tenantId: string, events: readonly StampedUsageEvent[], totals: UsageTotal[]): void {
    const added = new Map<string, number>();
    for (const event of events) {
      const key = `${usagePeriodOf(event.occurredAt)}|${event.kind}`;
      added.set(key, (added.get(key) ?? 0) + event.quantity);
    }
    for (const listener of this.listeners) listener({ tenantId, added, totals });
  }
}
