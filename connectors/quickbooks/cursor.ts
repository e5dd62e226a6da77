import { z } from 'zod';

/**
 * Position of a QuickBooks stream.
 * - `full`: a full load by query paging (`STARTPOSITION`/`MAXRESULTS`, ordered by Id); `startedAt`
 *   is the server time the load began (minus a margin), where change data capture takes over.
 * - `cdc`: increments by change data capture from `since` (inclusive). `seen` holds `Id:SyncToken`
 *   (or `Id:deleted`) of changes at or after `since` already delivered, so overlapping windows and
 *   Intuit's whole-second timestamps never deliver a change twice, while a further change of the
 *   same record (new SyncToken) still comes through.
 */
export const quickbooksCursorSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('full'), position: z.number().int().min(1), startedAt: z.string().nullable() }),
  z.object({ mode: z.literal('cdc'), since: z.string(), seen: z.array(z.string()) }),
]);

export type QuickBooksCursor = z.infer<typeof quickbooksCursorSchema>;

/** A change as CDC reports it: a full entity, or `{ status: "Deleted", Id, MetaData }`. */
export interface QboChange {
  Id: string;
  SyncToken?: string;
  status?: string;
  MetaData?: { LastUpdatedTime?: string };
  [key: string]: unknown;
}

export function changeTime(change: QboChange): number {
  const time = Date.parse(change.MetaData?.LastUpdatedTime ?? '');
  return Number.isFinite(time) ? time : 0;
}

export function isDeletion(change: QboChange): boolean {
  return change.status === 'Deleted';
}

export function changeKey(change: QboChange): string {
  return `${change.Id}:${isDeletion(change) ? 'deleted' : (change.SyncToken ?? '')}`;
}

/** CDC answers at most this many objects per entity and call; a full answer may be cut short. */
export const CDC_LIMIT = 1000;

export interface CdcPage {
  changes: QboChange[];
  next: Extract<QuickBooksCursor, { mode: 'cdc' }>;
  done: boolean;
}

/**
 * Picks the page to deliver from one CDC answer and the cursor to continue from. Changes are
 * ordered by LastUpdatedTime then Id; already delivered ones are dropped. When the answer holds more
 * than the page (or was cut at Intuit's limit), the window closes at the last delivered change;
 * otherwise it advances to the server's time minus `overlapMs` (the connector's lookback: the
 * next increment re-asks for that much, for commit lag and clock skew; `seen` drops the repeats).
 */
export function planCdcPage(
  cursor: Extract<QuickBooksCursor, { mode: 'cdc' }>,
  answer: QboChange[],
  serverTimeMs: number,
  pageSize: number,
  overlapMs: number,
): CdcPage {
  const sinceMs = Date.parse(cursor.since);
  const seen = new Set(cursor.seen);
  const ordered = [...answer].sort((a, b) => changeTime(a) - changeTime(b) || Number(a.Id) - Number(b.Id) || a.Id.localeCompare(b.Id));
  const fresh = ordered.filter((change) => !seen.has(changeKey(change)));
  const page = fresh.slice(0, pageSize);
  const truncated = answer.length >= CDC_LIMIT;
  const delivered = [
    ...cursor.seen.map((key) => ({ key, time: null as number | null })),
    ...page.map((change) => ({ key: changeKey(change), time: changeTime(change) })),
  ];
  const timeOf = new Map(ordered.map((change) => [changeKey(change), changeTime(change)]));
  const keep = (nextSinceMs: number) => delivered.filter(({ key, time }) => (time ?? timeOf.get(key) ?? sinceMs) >= nextSinceMs).map(({ key }) => key);

  if (page.length < fresh.length || truncated) {
    if (page.length === 0) {
      // A cut answer made only of delivered changes at one instant: step past that second.
      const nextSinceMs = sinceMs + 1000;
      return { changes: [], next: { mode: 'cdc', since: new Date(nextSinceMs).toISOString(), seen: keep(nextSinceMs) }, done: false };
    }
    const nextSinceMs = Math.max(sinceMs, changeTime(page[page.length - 1]!));
    return { changes: page, next: { mode: 'cdc', since: new Date(nextSinceMs).toISOString(), seen: [...new Set(keep(nextSinceMs))] }, done: false };
  }
  const nextSinceMs = Math.max(sinceMs, serverTimeMs - overlapMs);
  return { changes: page, next: { mode: 'cdc', since: new Date(nextSinceMs).toISOString(), seen: [...new Set(keep(nextSinceMs))] }, done: true };
}
