import { type ReadPageResult } from '../../connectors/types';

/** A read-ahead that was not attempted (e.g. the request budget was used up): the page is read as usual. */
export class ReadAheadSkipped extends Error {}

interface Pending {
  fromCursor: string;
  result: Promise<ReadPageResult>;
  timer: NodeJS.Timeout;
}

/**
 * Read-ahead of sync pages within one worker process: while page N is written to Postgres, page
 * N+1 is already being read from the source, so reading and writing overlap instead of adding up.
 * A read-ahead is only a faster read: the next page's activity uses it if it runs on this worker
 * and the stream's committed cursor is exactly the one the read started from; otherwise (another
 * worker, a retry after a crash, a reset cursor) it is dropped and the page is read as usual. The
 * committed cursor stays the only source of truth, so exactly-once is untouched. A read-ahead that
 * failed counts as the page's read failing (a 429 still waits for its Retry-After). Entries expire.
 */
export class ReadAhead {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: { ttlMs: number; maxEntries: number } = { ttlMs: 60_000, maxEntries: 100 }) {}

  /** Starts reading the page `key` from `fromCursor` in the background (unless too many are pending). */
  start(key: string, fromCursor: string, read: () => Promise<ReadPageResult>): void {
    this.drop(key);
    if (this.pending.size >= this.options.maxEntries) return;
    const result = read();
    // Consumed later, or never: a failure only means the page is read again the usual way.
    result.catch(() => undefined);
    const timer = setTimeout(() => this.pending.delete(key), this.options.ttlMs);
    timer.unref();
    this.pending.set(key, { fromCursor, result, timer });
  }

  /** The read-ahead of page `key` if it started from `cursor`; removes it either way. */
  take(key: string, cursor: string | null): Promise<ReadPageResult> | undefined {
    const entry = this.pending.get(key);
    if (!entry) return undefined;
    this.drop(key);
    return entry.fromCursor === cursor ? entry.result : undefined;
  }

  get size(): number {
    return this.pending.size;
  }

  private drop(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
  }
}
