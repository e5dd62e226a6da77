import { createHash } from 'node:crypto';
import { type Client } from 'pg';
// pg's Query is the documented base for custom submittables (pg-cursor and pg-query-stream extend
// the same protocol hooks); it parses row descriptions, rows and errors for us.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Query = require('pg/lib/query') as new (config: { text: string }, values: undefined, callback: (error: Error | null, results?: unknown) => void) => PgQuery;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

interface PgQuery {
  submit(connection: PgConnection): Error | null;
}

/** The protocol writer of a pg client (`client.connection`): one method per frontend message. */
interface PgConnection {
  stream: { cork?(): void; uncork?(): void };
  parse(message: { name: string; text: string; types?: number[] }): void;
  bind(message: { portal: string; statement: string; values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string; rows?: number }): void;
  sync(): void;
}

/** A pg connection as knex's pool hands it out. */
export type BatchConnection = Pick<Client, 'query'> & { connection?: unknown };

export interface BatchPool {
  acquireConnection(): Promise<BatchConnection>;
  releaseConnection(connection: BatchConnection): Promise<void>;
}

/** One read: transaction-local settings, then one statement with `$n` placeholders. */
export interface ScopedRead {
  settings: ReadonlyArray<readonly [name: string, value: string]>;
  sql: string;
  values: readonly unknown[];
}

interface PendingRead extends ScopedRead {
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
}

/** Named statements a connection keeps at most; past that, reads parse an unnamed statement each time. */
const MAX_PREPARED_PER_CONNECTION = 500;

/**
 * Hot single-statement reads over the extended protocol, prepared and pipelined: each read is
 * `set_config(…, true)` then its statement, both named prepared statements (parsed once per
 * connection, planned from cache afterwards), and concurrent reads share one message and one
 * `Sync` — one socket write and one round trip for the lot. Everything before a `Sync` is one
 * implicit transaction, so each read's settings hold for the statement that follows them (the
 * next read sets its own). Reads go out at once while fewer than `maxInFlight` messages are
 * outstanding; under load the queue forms and the next message carries everything that waited (up
 * to `maxBatch`), so batching adds no delay at low load.
 *
 * A failing statement aborts the rest of its message (Postgres skips to the `Sync`), so after an
 * error every read of the batch runs again alone: each read gets its own result or its own error.
 * Reads only: running one twice is harmless. Parse rejects a statement holding several commands.
 */
export class ReadBatcher {
  private readonly queue: PendingRead[] = [];
  private inFlight = 0;
  private readonly statementNames = new Map<string, string>();
  /** Per connection: the named statements it has parsed. */
  private readonly prepared = new WeakMap<object, Set<string>>();

  constructor(private readonly pool: BatchPool, private readonly options: { maxInFlight: number; maxBatch: number }) {}

  read(read: ScopedRead): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...read, resolve, reject });
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
      let results: unknown[][];
      try {
        results = await this.send(connection, batch);
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          return;
        }
        for (const read of batch) {
          await this.send(connection, [read]).then(
            ([rows]) => read.resolve(rows!),
            (alone: unknown) => read.reject(alone),
          );
        }
        return;
      }
      batch.forEach((read, index) => read.resolve(results[index]!));
    } finally {
      await this.pool.releaseConnection(connection);
    }
  }

  /** Sends the reads as one pipelined message; answers each read's rows, in order. */
  private async send(connection: BatchConnection, reads: readonly PendingRead[]): Promise<unknown[][]> {
    const parsed = this.parsedOn(connection);
    const submitted: string[] = [];
    const statement = (sql: string): { name: string; parse: boolean } => {
      const name = this.nameOf(sql);
      if (parsed.has(name) || submitted.includes(name)) return { name, parse: false };
      if (parsed.size + submitted.length >= MAX_PREPARED_PER_CONNECTION) return { name: '', parse: true };
      submitted.push(name);
      return { name, parse: true };
    };
    const steps = reads.flatMap((read) => [
      { sql: settingsSql(read.settings.length), values: read.settings.flat() },
      { sql: read.sql, values: read.values },
    ]);
    const messages = steps.map((step) => ({ ...statement(step.sql), ...step }));
    let results: Array<{ rows: unknown[] }>;
    try {
      results = await new Promise((resolve, reject) => {
        const query = new Query({ text: '' }, undefined, (error, answer) => {
          if (error) reject(error);
          else resolve((Array.isArray(answer) ? answer : [answer]) as Array<{ rows: unknown[] }>);
        });
        query.submit = (wire: PgConnection) => {
          wire.stream.cork?.();
          try {
            for (const message of messages) {
              if (message.parse) wire.parse({ name: message.name, text: message.sql });
              wire.bind({ portal: '', statement: message.name, values: [...message.values], valueMapper: prepareValue });
              wire.describe({ type: 'P', name: '' });
              wire.execute({ portal: '' });
            }
            wire.sync();
          } finally {
            wire.stream.uncork?.();
          }
          return null;
        };
        void connection.query(query as never);
      });
    } catch (error) {
      // Parses after the failing statement were skipped: which of ours exist is unknown now.
      await connection.query('DEALLOCATE ALL').catch(() => undefined);
      parsed.clear();
      throw error;
    }
    for (const name of submitted) parsed.add(name);
    if (results.length !== steps.length) throw new Error(`pipelined reads: ${steps.length} statements sent, ${results.length} answered`);
    return reads.map((_, index) => results[index * 2 + 1]!.rows);
  }

  private parsedOn(connection: BatchConnection): Set<string> {
    let parsed = this.prepared.get(connection);
    if (!parsed) {
      parsed = new Set();
      this.prepared.set(connection, parsed);
    }
    return parsed;
  }

  private nameOf(sql: string): string {
    let name = this.statementNames.get(sql);
    if (!name) {
      if (this.statementNames.size > 10_000) this.statementNames.clear();
      name = `hub_read_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
      this.statementNames.set(sql, name);
    }
    return name;
  }
}

const settingsStatements: string[] = [];

/** `SELECT set_config($1, $2, true), …` for `count` settings (local to the implicit transaction). */
function settingsSql(count: number): string {
  return (settingsStatements[count] ??= `SELECT ${Array.from({ length: count }, (_, index) => `set_config($${index * 2 + 1}, $${index * 2 + 2}, true)`).join(', ')}`);
}
