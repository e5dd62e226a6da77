/**
 * Position in one Stripe stream (JSON in the opaque cursor).
 * - `list` phase (a full read): `startingAfter` pages the list endpoint; `eventsSince` (unix
 *   seconds) and `seen` were fixed when the full read began, from the newest event.
 * - `events` phase (incremental): the Events API from `eventsSince` (inclusive), paged with
 *   `startingAfter`. `seen` holds `created:id` of the events already applied at or after
 *   `eventsSince`, `pending` those applied in the traversal under way, and `maxCreated` the newest
 *   second it reached. `newest` is the newest second applied by finished traversals and `floor`
 *   the second the full read began (what the list already reflects). When a traversal ends, the
 *   next one starts the lookback window before `newest`, never before `floor` (events Stripe makes
 *   visible late, with an earlier `created`, still arrive), and `seen` keeps the window's events,
 *   so none is applied twice; past {@link MAX_SEEN_EVENTS} the oldest are forgotten, which costs a
 *   repeated re-read, never a lost change.
 */
export interface StripeCursor {
  v: 2;
  phase: 'list' | 'events';
  eventsSince: number;
  seen: string[];
  newest?: number;
  floor?: number;
  startingAfter?: string;
  maxCreated?: number;
  pending?: string[];
}

/** The most `created:id` keys a cursor remembers. */
export const MAX_SEEN_EVENTS = 2_000;

/** The cursor version 1 wrote: ids applied at `eventsSince`, and at `maxCreated` in a traversal. */
interface StripeCursorV1 {
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
  const parsed = JSON.parse(cursor) as StripeCursor | StripeCursorV1;
  if (parsed.v === 2) return parsed;
  if (parsed.v !== 1) throw new Error('not a Stripe cursor');
  const { seenEventIds, maxIds, v: _v, ...rest } = parsed;
  return {
    ...rest,
    v: 2,
    seen: seenEventIds.map((id) => seenKey(parsed.eventsSince, id)),
    ...(maxIds ? { pending: maxIds.map((id) => seenKey(parsed.maxCreated ?? parsed.eventsSince, id)) } : {}),
  };
}

export const encodeStripeCursor = (cursor: StripeCursor) => JSON.stringify(cursor);

/** The key `seen` and `pending` hold for an event. */
export const seenKey = (created: number, id: string) => `${created}:${id}`;

/** The event id of a `seen` key. */
export const seenId = (key: string) => key.slice(key.indexOf(':') + 1);

/** The `created` second of a `seen` key. */
const seenCreated = (key: string) => Number(key.slice(0, key.indexOf(':')));

/**
 * The keys to remember for a window starting at `since`: those at or after it, newest first kept
 * when there are more than {@link MAX_SEEN_EVENTS}.
 */
export function seenWithin(keys: Iterable<string>, since: number): string[] {
  const kept = [...new Set(keys)].filter((key) => seenCreated(key) >= since);
  kept.sort((a, b) => seenCreated(b) - seenCreated(a));
  return kept.slice(0, MAX_SEEN_EVENTS);
}
