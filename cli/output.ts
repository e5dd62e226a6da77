import Table from 'cli-table3';

/** Prints rows as a table (default) or JSON (`--json`). */
export function printRows(rows: Array<Record<string, unknown>>, columns: string[], options: { json?: boolean }): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const table = new Table({ head: columns });
  for (const row of rows) table.push(columns.map((column) => format(row[column])));
  process.stdout.write(`${table.toString()}\n`);
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
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
