import { stringify } from 'csv-stringify/sync';

/**
 * Part-wise encoders: an export is written in chunks (one activity each, so a cancellation stops at
 * a chunk boundary) and the parts are concatenated into the final file with `head`/`separator`/`tail`.
 */
export interface PartEncoder {
  contentType: string;
  extension: string;
  /** Bytes before the first part. */
  head(columns: readonly string[]): string;
  /** Encodes one chunk of rows (in column order). */
  encode(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string;
  /** Between two non-empty parts. */
  separator: string;
  /** After the last part. */
  tail: string;
}

/** Dates as ISO 8601, JSON values as JSON text, null as empty (CSV). */
function cell(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value as string | number | boolean;
}

function plain(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

function pick(columns: readonly string[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column] = plain(row[column] ?? null);
  return out;
}

export const partEncoders: Readonly<Record<string, PartEncoder>> = {
  csv: {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    head: (columns) => stringify([columns as string[]]),
    // escape_formulas: cells starting with = + - @ (or tab/CR) are prefixed with ' (CSV injection).
    encode: (columns, rows) => stringify(rows.map((row) => columns.map((column) => cell(row[column]))), { escape_formulas: true }),
    separator: '',
    tail: '',
  },
  ndjson: {
    contentType: 'application/x-ndjson',
    extension: 'ndjson',
    head: () => '',
    encode: (columns, rows) => rows.map((row) => `${JSON.stringify(pick(columns, row))}\n`).join(''),
    separator: '',
    tail: '',
  },
  json: {
    contentType: 'application/json',
    extension: 'json',
    head: () => '[\n',
    encode: (columns, rows) => rows.map((row) => JSON.stringify(pick(columns, row))).join(',\n'),
    separator: ',\n',
    tail: '\n]\n',
  },
};
