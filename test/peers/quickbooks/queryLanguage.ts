/**
 * The subset of the QuickBooks query language the peer understands:
 * `select * | count(*) from <Entity> [where <field> <op> <value> [and …]] [orderby <field> [asc|desc]]
 *  [startposition <n>] [maxresults <n>]` (keywords case-insensitive, values quoted with ').
 */
export interface ParsedQuery {
  count: boolean;
  entity: string;
  conditions: Array<{ field: string; operator: string; value: string | string[] }>;
  orderBy?: { field: string; descending: boolean };
  startPosition: number;
  maxResults: number;
}

const QUERY =
  /^\s*select\s+(\*|count\(\*\))\s+from\s+(\w+)(?:\s+where\s+(.+?))?(?:\s+orderby\s+([\w.]+)(?:\s+(asc|desc))?)?(?:\s+startposition\s+(\d+))?(?:\s+maxresults\s+(\d+))?\s*$/i;
const CONDITION = /^\s*([\w.]+)\s*(<=|>=|=|<|>|\bin\b|\blike\b)\s*(.+?)\s*$/i;

export class QueryError extends Error {}

export function parseQuery(text: string): ParsedQuery {
  const match = QUERY.exec(text);
  if (!match) throw new QueryError(`Encountered unexpected text in: ${text}`);
  const [, select, entity, where, orderField, direction, start, max] = match;
  const maxResults = max ? Number(max) : 100;
  if (maxResults > 1000) throw new QueryError(`value ${maxResults} is too large. Max allowed value is: 1000`);
  return {
    count: select!.toLowerCase() !== '*',
    entity: entity!,
    conditions: where ? where.split(/\s+and\s+/i).map(parseCondition) : [],
    orderBy: orderField ? { field: orderField, descending: direction?.toLowerCase() === 'desc' } : undefined,
    startPosition: start ? Math.max(1, Number(start)) : 1,
    maxResults,
  };
}

function parseCondition(text: string): ParsedQuery['conditions'][number] {
  const match = CONDITION.exec(text);
  if (!match) throw new QueryError(`Encountered unexpected condition: ${text}`);
  const [, field, operator, raw] = match;
  const op = operator!.toLowerCase();
  if (op === 'in') {
    const list = raw!
      .replace(/^\(|\)$/g, '')
      .split(',')
      .map(unquote);
    return { field: field!, operator: op, value: list };
  }
  return { field: field!, operator: op, value: unquote(raw!) };
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith("'") && trimmed.endsWith("'") ? trimmed.slice(1, -1).replace(/\\'/g, "'") : trimmed;
}

/** Reads a dotted field (`MetaData.LastUpdatedTime`) of a record. */
export function fieldValue(record: Record<string, unknown>, field: string): unknown {
  return field.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), record);
}

/** True when the record satisfies every condition (timestamps compared as instants, Ids as numbers). */
export function matches(record: Record<string, unknown>, conditions: ParsedQuery['conditions']): boolean {
  return conditions.every(({ field, operator, value }) => {
    const actual = fieldValue(record, field);
    if (operator === 'in') return (value as string[]).includes(String(actual));
    if (operator === 'like')
      return new RegExp(
        `^${String(value)
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')}$`,
        'i',
      ).test(String(actual));
    const comparison = compareValues(actual, value as string);
    switch (operator) {
      case '=':
        return comparison === 0;
      case '<':
        return comparison < 0;
      case '>':
        return comparison > 0;
      case '<=':
        return comparison <= 0;
      default:
        return comparison >= 0;
    }
  });
}

export function compareValues(actual: unknown, expected: string): number {
  const asText = String(actual ?? '');
  if (/^\d+$/.test(asText) && /^\d+$/.test(expected)) return Number(asText) - Number(expected);
  const actualTime = Date.parse(asText);
  const expectedTime = Date.parse(expected);
  if (/^\d{4}-\d{2}-\d{2}/.test(asText) && !Number.isNaN(actualTime) && !Number.isNaN(expectedTime)) return actualTime - expectedTime;
  if (asText === 'true' || asText === 'false') return asText === expected.toLowerCase() ? 0 : 1;
  return asText.localeCompare(expected);
}
