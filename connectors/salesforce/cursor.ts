/**
 * Position in one Salesforce stream (opaque to the sync engine, JSON in the cursor string).
 * - `since`/`lastId`: the (SystemModstamp, Id) of the last record read. A traversal that lost its
 *   locator resumes strictly after that key; a new traversal starts at `since` minus the lookback
 *   window, inclusive (see connectors/lookback.ts).
 * - `locator`: the open query's `nextRecordsUrl` locator while paging through one result (a
 *   traversal is under way while it is set).
 * - `deletedSince`: start of the next `/sobjects/<type>/deleted` window (hard deletes that
 *   queryAll no longer returns).
 */
export interface SalesforceCursor {
  v: 1;
  since: string | null;
  lastId: string | null;
  locator?: string;
  deletedSince?: string;
}

export function decodeCursor(cursor: string | null): SalesforceCursor {
  if (!cursor) return { v: 1, since: null, lastId: null };
  const parsed = JSON.parse(cursor) as SalesforceCursor;
  if (parsed.v !== 1) throw new Error('not a Salesforce cursor');
  return parsed;
}

export function encodeCursor(cursor: SalesforceCursor): string {
  return JSON.stringify(cursor);
}

/** Salesforce datetimes (`2026-01-01T00:00:00.000+0000`) as epoch milliseconds. */
export function salesforceTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** A SOQL datetime literal, floored to the second (`2026-01-01T00:00:00Z`). */
export function soqlDateTime(value: string): string {
  return `${new Date(Math.floor(salesforceTime(value) / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** True when (stamp, id) sorts at or before the cursor's key. */
export function atOrBefore(cursor: SalesforceCursor, stamp: string, id: string): boolean {
  if (!cursor.since) return false;
  const left = salesforceTime(stamp);
  const right = salesforceTime(cursor.since);
  return left < right || (left === right && cursor.lastId !== null && id <= cursor.lastId);
}
