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
 * Hot single-statement reads, each with its own settings (`app.tenant_id`), coalesced under load:
 * reads go out at once while fewer than `maxInFlight` messages are outstanding; then the queue
 * forms and the next message carries everything that waited (up to `maxBatch`), so batching adds
 * no delay at low load. A message is one {@link sendPipelined} round trip of prepared statements.
 *
 * A failing statement aborts the rest of its message (Postgres skips to the `Sync`), so after an
 * error every read of the batch runs again alone: each read gets its own result or its own error.
 * Reads only: running one twice is harmless.
 */
export class ReadBatcher {
  private readonly queue: PendingRead[] = [];
  private inFlight = 0;

  constructor(private readonly pool: BatchPool, private readonly options: { maxInFlight: number; maxBatch: number }) {}

  read(read: ScopedStatement): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ settings: read.settings, sql: read.sql, values: read.values, resolve, reject });
      this.dispatch();
    });
  }

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
        if (batch.length === 1) {
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
