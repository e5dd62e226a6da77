import { ConfigError } from '../errors';
import { type ODataCursor } from './cursor';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC_TYPES = new Set(['Edm.Byte', 'Edm.SByte', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double', 'Edm.Single']);

/** An OData v4 literal for `value` of EDM type `type` (strings quoted with '' escaping; others validated). */
export function odataLiteral(value: unknown, type: string): string {
  if (NUMERIC_TYPES.has(type)) {
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return value;
  } else if (type === 'Edm.DateTimeOffset' || type === 'Edm.Date' || type === 'Edm.DateTime') {
    if (typeof value === 'string' && DATE_TIME.test(value)) return value;
  } else if (type === 'Edm.Guid') {
    if (typeof value === 'string' && GUID.test(value)) return value;
  } else if (type === 'Edm.Boolean') {
    if (typeof value === 'boolean') return String(value);
  } else {
    return `'${String(value).replace(/'/g, "''")}'`;
  }
  throw new ConfigError(`odata: ${JSON.stringify(value)} is not a valid ${type} value`, 'BAD_LITERAL');
}

/** `$filter` starting a traversal: rows changed at or after `from` (the lookback window's start). */
export function traversalFilter(modifiedField: string, modifiedType: string, from: string | null): string | null {
  return from === null ? null : `${modifiedField} ge ${odataLiteral(from, modifiedType)}`;
}

/**
 * `$filter` resuming a traversal after (since, lastKey): `m gt S or (m eq S and k gt K)` with a
 * single key, `m ge S` otherwise (composite keys: rows sharing the last timestamp are read again;
 * the records store makes that harmless).
 */
export function incrementalFilter(
  modifiedField: string,
  modifiedType: string,
  keys: Array<{ name: string; type: string }>,
  cursor: ODataCursor,
): string | null {
  if (cursor.since === null) return null;
  const since = odataLiteral(cursor.since, modifiedType);
  const [key] = keys;
  if (keys.length === 1 && key && cursor.lastKey !== null) {
    return `${modifiedField} gt ${since} or (${modifiedField} eq ${since} and ${key.name} gt ${odataLiteral(cursor.lastKey, key.type)})`;
  }
  return `${modifiedField} ge ${since}`;
}

/** The request URL of a fresh (keyset) query; system query options percent-encoded with %20 for spaces. */
export function entitySetUrl(serviceUrl: string, entitySet: string, options: Record<string, string | null>): string {
  const query = Object.entries(options)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `${serviceUrl.replace(/\/+$/, '')}/${encodeURIComponent(entitySet)}${query ? `?${query}` : ''}`;
}

/** The row's key as an OData key predicate: `42`, `'A-1'`, or `SalesOrder='1',Item=10` for composite keys. */
export function keyPredicate(row: Record<string, unknown>, keys: Array<{ name: string; type: string }>): string {
  if (keys.length === 1) return String(row[keys[0]!.name]);
  return keys.map((key) => `${key.name}=${odataLiteral(row[key.name], key.type)}`).join(',');
}
