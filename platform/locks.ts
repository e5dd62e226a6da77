import { type Database } from './db';

/**
 * Runs `fn` while holding a Postgres advisory lock named `name`, across every process that uses
 * the same database. The lock lives in a transaction on its own connection and is released when
 * `fn` settles (or the connection dies), so a crashed holder never blocks others.
 * `fn` must not rely on that transaction: it does its own database work.
 */
export async function withAdvisoryLock<T>(db: Database, name: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return db.knex.transaction(async (trx) => {
    await trx.raw(`select set_config('lock_timeout', ?, true)`, [`${timeoutMs}ms`]);
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [name]);
    return fn();
  });
}
