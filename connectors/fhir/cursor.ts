import { z } from 'zod';

/**
 * Position of a FHIR stream.
 * - `search`: REST search `_lastUpdated=ge<from>&_sort=_lastUpdated`. A traversal starts at
 *   `since` (the newest `meta.lastUpdated` the previous one delivered) minus the lookback window.
 *   It pages by keyset: `position` is the newest `meta.lastUpdated` delivered so far in it, and the
 *   next page asks again from there (inclusive; the ids already delivered at that instant, in
 *   `atPosition`, are not delivered twice), so records that move while the traversal runs
 *   (an update re-sorts them to the end) neither shift a page boundary nor get skipped, as offset
 *   paging through `next` links would. `next` is the server's next link, followed only while a
 *   page does not get past `position` (more records share one instant than fit a page) or when the
 *   server does not sort by `_lastUpdated`. `maxSeen` is the newest `meta.lastUpdated` delivered in
 *   the traversal (the next traversal's `since`). The sort has one key on purpose: records sharing
 *   an instant are all asked for again (`ge`), so their order does not matter, and servers differ
 *   on a second key (Medplum's repository sorts `_lastUpdated,_id` by `_id` alone).
 * - `bulk`: Bulk Data `$export` with `_since`; `job` while the export runs (its status URL),
 *   `files` while its NDJSON output is being read (file index and line within it). The manifest's
 *   `transactionTime` becomes `since`; the next kick-off asks for `_since` = `since` minus the
 *   lookback window (resources committed late with an earlier `lastUpdated` still come).
 */
const searchCursor = z.object({
  mode: z.literal('search'),
  since: z.string().nullable(),
  next: z.string().nullable(),
  maxSeen: z.string().nullable(),
  position: z.string().nullable().optional(),
  /** Ids already delivered at the `position` instant in this traversal (not delivered again). */
  atPosition: z.array(z.string()).optional(),
});

const bulkCursor = z.object({
  mode: z.literal('bulk'),
  since: z.string().nullable(),
  job: z.object({ statusUrl: z.string() }).nullable(),
  files: z
    .object({
      statusUrl: z.string(),
      transactionTime: z.string(),
      requiresAccessToken: z.boolean(),
      items: z.array(z.object({ url: z.string(), kind: z.enum(['output', 'deleted']) })),
      index: z.number().int().min(0),
      line: z.number().int().min(0),
    })
    .nullable(),
});

export const fhirCursorSchema = z.discriminatedUnion('mode', [searchCursor, bulkCursor]);
export type FhirCursor = z.infer<typeof fhirCursorSchema>;
export type SearchCursor = z.infer<typeof searchCursor>;
export type BulkCursor = z.infer<typeof bulkCursor>;

/** The instant the stream was last read up to, whatever the mode (used when the mode changes). */
export function cursorSince(cursor: FhirCursor | null): string | null {
  if (!cursor) return null;
  return cursor.mode === 'search' ? (cursor.next || cursor.position ? cursor.since : (cursor.maxSeen ?? cursor.since)) : cursor.since;
}
