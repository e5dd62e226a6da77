import { Client } from 'pg';

const escapeLiteral = (value: string) => Client.prototype.escapeLiteral(value);

/**
 * Renders one bound value as a Postgres literal. Used only to send a statement together with its
 * transaction wrapper in a single simple-protocol round trip; every value is escaped by type.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot inline non-finite number ${value}`);
    return value < 0 ? `(${value})` : String(value);
  }
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `${escapeLiteral(value.toISOString())}::timestamptz`;
  if (Buffer.isBuffer(value)) return `${escapeLiteral(`\\x${value.toString('hex')}`)}::bytea`;
  if (Array.isArray(value)) return value.length === 0 ? "'{}'" : `ARRAY[${value.map(sqlLiteral).join(', ')}]`;
  return `${escapeLiteral(JSON.stringify(value))}::jsonb`;
}

/**
 * Replaces `$1…$n` placeholders (outside quoted strings, identifiers and comments) with literals.
 */
export function inlineBindings(sql: string, bindings: readonly unknown[]): string {
  let out = '';
  let index = 0;
  while (index < sql.length) {
    const char = sql[index]!;
    if (char === "'" || char === '"') {
      const end = closingQuote(sql, index, char);
      out += sql.slice(index, end + 1);
      index = end + 1;
    } else if (char === '-' && sql[index + 1] === '-') {
      const end = sql.indexOf('\n', index);
      out += sql.slice(index, end === -1 ? sql.length : end);
      index = end === -1 ? sql.length : end;
    } else if (char === '$' && /[0-9]/.test(sql[index + 1] ?? '')) {
      let end = index + 1;
      while (end < sql.length && /[0-9]/.test(sql[end]!)) end += 1;
      const position = Number(sql.slice(index + 1, end));
      if (position < 1 || position > bindings.length) throw new Error(`placeholder $${position} has no binding`);
      out += sqlLiteral(bindings[position - 1]);
      index = end;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

function closingQuote(sql: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < sql.length) {
    if (sql[index] === quote) {
      if (sql[index + 1] === quote) index += 2;
      else return index;
    } else {
      index += 1;
    }
  }
  throw new Error('unterminated quoted string in SQL');
}
