/**
 * Position in one Stripe stream (JSON in the opaque cursor).
 * - `list` phase (a full read): `startingAfter` pages the list endpoint; `eventsSince` (unix
 *   seconds) and `seenEventIds` were fixed when the full read began, from the newest event.
 * - `events` phase (incremental): the Events API from `eventsSince` (inclusive; ids already
 *   applied at that second are in `seenEventIds`), paged with `startingAfter`; `maxCreated` and
 *   `maxIds` collect the newest second seen so far, which becomes the next `eventsSince`.
 */
export interface StripeCursor {
  v: 1;
  phase: 'list' | 'events';
  eventsSince: number;
  seenEventIds: string[];
  startingAfter?: string;
  maxCreated?: number;
  maxIds?: string[];
}

export function decodeStripeCursor(cursor: string | null): StripeCursor | null {
  if (!cursor) return null;
  const parsed = JSON.parse(cursor) as StripeCursor;
  if (parsed.v !== 1) throw new Error('not a Stripe cursor');
  return parsed;
}

export const encodeStripeCursor = (cursor: StripeCursor) => JSON.stringify(cursor);
