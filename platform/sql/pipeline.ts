import { createHash } from 'node:crypto';
import { type Client } from 'pg';
// pg's Query is the base custom submittables build on (pg-cursor and pg-query-stream use the same
// protocol hooks); it parses row descriptions, rows and errors for us.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Query = require('pg/lib/query') as new (
  config: { text: string },
  values: undefined,
  callback: (error: Error | null, results?: unknown) => void,
) => PgQuery;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

interface PgQuery {
  submit(connection: PgWire): Error | null;
}

/** The protocol writer of a pg client (`client.connection`): one method per frontend message. */
interface PgWire {
  stream: { cork?(): void; uncork?(): void };
  parse(message: { name: string; text: string }): void;
  bind(message: { portal: string; statement: string; values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string }): void;
  sync(): void;
}

/** A pg connection as knex's pool hands it out. */
export type PipelineConnection = Pick<Client, 'query'>;

/** One statement with `$n` placeholders, run after its transaction-local settings. */
export interface ScopedStatement {
  settings: ReadonlyArray<readonly [name: string, value: string]>;
  sql: string;
  values: readonly unknown[];
}

/** Named statements a connection keeps at most; past that, statements are parsed unnamed each time. */
const MAX_PREPARED_PER_CONNECTION = 500;
/** Per connection: the named statements it has parsed. */
const preparedOn = new WeakMap<object, Set<string>>();
const statementNames = new Map<string, string>();

/**
 * Sends statements over the extended protocol as one pipelined message: for each, `set_config(…,
 * true)` of its settings then the statement, both named prepared statements (parsed once per
 * connection, planned from cache afterwards), and one `Sync` at the end — one socket write and one
 * round trip. Everything before the `Sync` is one implicit transaction: each statement sees the
 * settings set just before it — every setting any statement of the message sets, the ones it does
 * not set itself reset to '' (the policies read '' as unset), so no statement inherits another's
 * tenant, key prefix or platform flag — and the whole message commits or fails together (a failing
 * statement makes Postgres skip to the `Sync`). Parse refuses a statement holding several commands.
 * Answers each statement's rows, in order.
 */
export async function sendPipelined(connection: PipelineConnection, statements: readonly ScopedStatement[]): Promise<unknown[][]> {
  const parsed = parsedOn(connection);
  const submitted: string[] = [];
  const prepare = (sql: string): { name: string; parse: boolean } => {
    const name = nameOf(sql);
    if (parsed.has(name) || submitted.includes(name)) return { name, parse: false };
    if (parsed.size + submitted.length >= MAX_PREPARED_PER_CONNECTION) return { name: '', parse: true };
    submitted.push(name);
    return { name, parse: true };
  };
  const messages: Array<{ name: string; parse: boolean; sql: string; values: readonly unknown[] }> = [];
  const settingNames = [...new Set(statements.flatMap((statement) => statement.settings.map(([name]) => name)))];
  for (const statement of statements) {
    const own = new Map(statement.settings);
    const settings = settingNames.map((name) => [name, own.get(name) ?? ''] as const);
    const settingsSql = settingsStatement(settings.length);
    messages.push({ ...prepare(settingsSql), sql: settingsSql, values: settings.flat() });
    messages.push({ ...prepare(statement.sql), sql: statement.sql, values: statement.values });
  }
  let results: Array<{ rows: unknown[] }>;
  try {
    results = await new Promise((resolve, reject) => {
      const query = new Query({ text: '' }, undefined, (error, answer) => {
        if (error) reject(error);
        else resolve((Array.isArray(answer) ? answer : [answer]) as Array<{ rows: unknown[] }>);
      });
      query.submit = (wire: PgWire) => {
        wire.stream.cork?.();
        try {
          for (const message of messages) {
            if (message.parse) wire.parse({ name: message.name, text: message.sql });
            wire.bind({ portal: '', statement: message.name, values: message.values as unknown[], valueMapper: prepareValue });
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
  if (results.length !== messages.length) throw new Error(`pipelined statements: ${messages.length} sent, ${results.length} answered`);
  return statements.map((_, index) => results[index * 2 + 1]!.rows);
}

function parsedOn(connection: object): Set<string> {
  let parsed = preparedOn.get(connection);
  if (!parsed) {
    parsed = new Set();
    preparedOn.set(connection, parsed);
  }
  return parsed;
}

function nameOf(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    if (statementNames.size > 10_000) statementNames.clear();
    name = `hub_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

const settingsStatements: string[] = [];

/** `SELECT set_config($1, $2, true), …` for `count` settings (local to the implicit transaction). */
function settingsStatement(count: number): string {
  return (settingsStatements[count] ??=
    `SELECT ${Array.from({ length: count }, (_, index) => `set_config($${index * 2 + 1}, $${index * 2 + 2}, true)`).join(', ')}`);
}
