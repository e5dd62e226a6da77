import Table from 'cli-table3';

/** Longest text a table cell shows for a nested value; `--json` prints it whole. */
const SUMMARY_MAX = 72;

/** Prints rows as a table (default) or JSON (`--json`). */
export function printRows(rows: Array<Record<string, unknown>>, columns: string[], options: { json?: boolean }): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const table = new Table({ head: columns });
  for (const row of rows) table.push(columns.map((column) => format(row[column])));
  process.stdout.write(`${table.toString()}\n`);
  if (rows.some((row) => columns.some((column) => isNested(row[column])))) process.stderr.write('(nested values summarized; --json prints them whole)\n');
}

/** Prints one object as key/value lines (default) or JSON. */
export function printObject(value: Record<string, unknown>, options: { json?: boolean }): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const table = new Table();
  for (const [key, item] of Object.entries(value)) table.push({ [key]: format(item) });
  process.stdout.write(`${table.toString()}\n`);
  if (Object.values(value).some(isNested)) process.stderr.write('(nested values summarized; --json prints them whole)\n');
}

function isNested(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return summaryOf(value as Record<string, unknown>);
  return String(value);
}

/**
 * A nested object on one short line: its scalar fields as key=value, a nested object by its name,
 * id or code, a list by its length; cut at SUMMARY_MAX characters.
 */
export function summaryOf(value: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    if (Array.isArray(item)) parts.push(`${key}: ${item.length} item${item.length === 1 ? '' : 's'}`);
    else if (typeof item === 'object') {
      const nested = item as Record<string, unknown>;
      const label = nested.name ?? nested.id ?? nested.code;
      parts.push(label === undefined || typeof label === 'object' ? `${key}: {…}` : `${key}=${String(label)}`);
    } else parts.push(`${key}=${String(item)}`);
  }
  const text = parts.join(', ');
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}
