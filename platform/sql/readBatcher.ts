import { sendPipelined, type PipelineConnection, type ScopedStatement } from './pipeline';

export interface BatchPool {
  acquireConnection(): Promise<PipelineConnection>;
  releaseConnection(connection: PipelineConnection): Promise<void>;
}

interface PendingRead extends ScopedStatement {
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
}

/**
 * Hot single-statement reads, each with its own settings (`app.tenant_id`), coalesced: the reads
 * issued during one turn of the event loop (under load, by every request that turn served) go out
 * together when it ends, in one {@link sendPipelined} message of prepared statements — one socket
 * write and one round trip for all. At most `maxInFlight` messages are outstanding; reads issued
 * meanwhile wait and share the next message (up to `maxBatch` each). At low load a read waits only
 * for the end of its turn.
 *
 * A failing statement aborts the rest of its message (Postgres skips to the `Sync`), so after an
 * error every read of the batch runs again alone: each read gets its own result or its own error.
 * Reads only: running one twice is harmless.
 */
export class ReadBatcher {
  private readonly queue: PendingRead[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly pool: BatchPool,
    private readonly options: { maxInFlight: number; maxBatch: number },
  ) {}

  read(read: ScopedStatement): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ settings: read.settings, sql: read.sql, values: read.values, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.dispatchQueued);
      }
    });
  }

  /** Runs once the current turn of the event loop is done: the reads its callbacks issued share messages. */
  private readonly dispatchQueued = () => {
    this.scheduled = false;
    this.dispatch();
  };

  private dispatch(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.dispatch();
      });
    }
  }

  private async run(batch: PendingRead[]): Promise<void> {
    let connection: PipelineConnection;
    try {
      connection = await this.pool.acquireConnection();
    } catch (error) {
      for (const read of batch) read.reject(error);
      return;
    }
    try {
      let results: unknown[][];
      try {
        results = await sendPipelined(connection, batch);
      } catch (error) {
        // Alone, a read's error is its own — unless a schema change made its prepared statement stale
        // (the statements were just deallocated, so running it again prepares it afresh).
        if (batch.length === 1 && !isStalePlan(error)) {
          batch[0]!.reject(error);
          return;
        }
        for (const read of batch) {
          await sendPipelined(connection, [read]).then(
            ([rows]) => read.resolve(rows!),
            (alone: unknown) => read.reject(alone),
          );
        }
        return;
      }
      for (let index = 0; index < batch.length; index += 1) batch[index]!.resolve(results[index]!);
    } finally {
      await this.pool.releaseConnection(connection);
    }
  }
}

/** Postgres refuses a cached plan whose result columns changed since it was prepared (`ALTER TABLE … ADD COLUMN` under a `select *`). */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
}
