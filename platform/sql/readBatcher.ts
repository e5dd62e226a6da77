/** A pg connection as knex's pool hands it out. */
export interface BatchConnection {
  query(text: string): Promise<Array<{ rows: unknown[] }> | { rows: unknown[] }>;
}

export interface BatchPool {
  acquireConnection(): Promise<BatchConnection>;
  releaseConnection(connection: BatchConnection): Promise<void>;
}

interface PendingRead {
  /** `BEGIN; SELECT set_config(…); <statement>; COMMIT;` — exactly four statements. */
  text: string;
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
}

/**
 * Coalesces concurrent single-statement reads into one simple-protocol message per connection:
 * each read keeps its own transaction and settings (`BEGIN; set_config; <read>; COMMIT;` per read),
 * but N reads cost one socket write and one round trip instead of N. Reads go out at once while
 * fewer than `maxInFlight` messages are outstanding; under load the queue forms and the next
 * message carries everything that waited (up to `maxBatch`), so batching adds no delay at low load.
 *
 * A failing statement aborts the rest of its message (Postgres skips the remaining statements), so
 * after an error the batch is rolled back and every read of it runs again alone: each read gets its
 * own result or its own error. Reads only: running one twice is harmless.
 */
export class ReadBatcher {
  private readonly queue: PendingRead[] = [];
  private inFlight = 0;

  constructor(private readonly pool: BatchPool, private readonly options: { maxInFlight: number; maxBatch: number }) {}

  read(text: string): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
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
    let connection: BatchConnection;
    try {
      connection = await this.pool.acquireConnection();
    } catch (error) {
      for (const read of batch) read.reject(error);
      return;
    }
    try {
      if (batch.length === 1) {
        await this.runAlone(connection, batch[0]!);
        return;
      }
      let results: Array<{ rows: unknown[] }>;
      try {
        const answer = await connection.query(batch.map((read) => read.text).join(' '));
        results = Array.isArray(answer) ? answer : [answer];
      } catch {
        await connection.query('ROLLBACK').catch(() => undefined);
        for (const read of batch) await this.runAlone(connection, read);
        return;
      }
      if (results.length !== batch.length * 4) {
        const error = new Error('readAsTenant: expected exactly one statement per read');
        for (const read of batch) read.reject(error);
        return;
      }
      batch.forEach((read, index) => read.resolve(results[index * 4 + 2]!.rows));
    } finally {
      await this.pool.releaseConnection(connection);
    }
  }

  private async runAlone(connection: BatchConnection, read: PendingRead): Promise<void> {
    try {
      const results = await connection.query(read.text);
      if (!Array.isArray(results) || results.length !== 4) throw new Error('readAsTenant: expected exactly one statement');
      read.resolve(results[2]!.rows);
    } catch (error) {
      // A failed statement leaves the transaction aborted; never hand such a connection back as is.
      await connection.query('ROLLBACK').catch(() => undefined);
      read.reject(error);
    }
  }
}
