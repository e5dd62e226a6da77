import { sfTime, type SalesforceRecord } from './salesforceData';

/**
 * The SOQL the peer understands: `SELECT f, … FROM Object [WHERE f op literal [AND …]]
 * [ORDER BY f [ASC|DESC], …] [LIMIT n]`, with datetime (unquoted ISO 8601), string, number,
 * boolean and null literals. Anything else is MALFORMED_QUERY, as Salesforce would answer.
 */
export interface SoqlQuery {
  fields: string[];
  object: string;
  where: Array<{ field: string; op: string; value: unknown; isDate: boolean }>;
  orderBy: Array<{ field: string; descending: boolean }>;
  limit?: number;
}

export class SoqlError extends Error {
  constructor(
    message: string,
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
  ) {
    super(message);
  }
}

const QUERY = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(.+?))?(?:\s+LIMIT\s+(\d+))?\s*$/i;
const CONDITION = /^\s*(\w+)\s*(=|!=|<=|>=|<|>)\s*('(?:[^'\\]|\\.)*'|[^\s]+)\s*$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

export function parseSoql(soql: string): SoqlQuery {
  const match = QUERY.exec(soql);
  if (!match) throw new SoqlError(`unexpected token in query: ${soql.slice(0, 80)}`, 'MALFORMED_QUERY');
  const [, fieldList, object, whereText, orderText, limitText] = match;
  const where = whereText
    ? whereText.split(/\s+AND\s+/i).map((part) => {
        const condition = CONDITION.exec(part);
        if (!condition) throw new SoqlError(`unexpected condition: ${part}`, 'MALFORMED_QUERY');
        const [, field, op, raw] = condition as unknown as [string, string, string, string];
        return { field, op, ...literal(raw) };
      })
    : [];
  const orderBy = orderText
    ? orderText.split(',').map((part) => {
        const [field, direction] = part.trim().split(/\s+/) as [string, string | undefined];
        return { field, descending: direction?.toUpperCase() === 'DESC' };
      })
    : [];
  return { fields: fieldList!.split(',').map((field) => field.trim()), object: object!, where, orderBy, limit: limitText ? Number(limitText) : undefined };
}

function literal(raw: string): { value: unknown; isDate: boolean } {
  if (raw.startsWith("'")) return { value: raw.slice(1, -1).replace(/\\(.)/g, '$1'), isDate: false };
  if (DATETIME.test(raw)) return { value: Date.parse(raw), isDate: true };
  if (/^(true|false)$/i.test(raw)) return { value: raw.toLowerCase() === 'true', isDate: false };
  if (/^null$/i.test(raw)) return { value: null, isDate: false };
  if (/^-?\d+(\.\d+)?$/.test(raw)) return { value: Number(raw), isDate: false };
  throw new SoqlError(`unexpected literal: ${raw}`, 'MALFORMED_QUERY');
}

/** Runs a parsed query over records (already filtered for IsDeleted as query/queryAll require). */
export function runSoql(query: SoqlQuery, records: Iterable<SalesforceRecord>, knownFields: ReadonlySet<string>): SalesforceRecord[] {
  for (const field of [...query.fields, ...query.where.map((c) => c.field), ...query.orderBy.map((o) => o.field)]) {
    if (!knownFields.has(field)) throw new SoqlError(`No such column '${field}' on entity '${query.object}'`, 'INVALID_FIELD');
  }
  const comparable = (record: SalesforceRecord, field: string, isDate: boolean): unknown => {
    const value = record[field];
    return isDate && typeof value === 'string' ? sfTime(value) : value;
  };
  const matches = (record: SalesforceRecord) =>
    query.where.every(({ field, op, value, isDate }) => {
      const actual = comparable(record, field, isDate) as number | string | boolean | null;
      const expected = value as number | string | boolean | null;
      switch (op) {
        case '=':
          return actual === expected;
        case '!=':
          return actual !== expected;
        case '<':
          return actual !== null && expected !== null && actual < expected;
        case '<=':
          return actual !== null && expected !== null && actual <= expected;
        case '>':
          return actual !== null && expected !== null && actual > expected;
        default:
          return actual !== null && expected !== null && actual >= expected;
      }
    });
  const result: SalesforceRecord[] = [];
  for (const record of records) if (matches(record)) result.push(record);
  if (query.orderBy.length > 0) {
    result.sort((a, b) => {
      for (const { field, descending } of query.orderBy) {
        const left = a[field] as string | number;
        const right = b[field] as string | number;
        if (left === right) continue;
        const order = left < right ? -1 : 1;
        return descending ? -order : order;
      }
      return 0;
    });
  }
  return query.limit === undefined ? result : result.slice(0, query.limit);
}
