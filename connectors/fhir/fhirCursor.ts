import { z } from 'zod';

/**
 * Position of a FHIR stream.
 * - `search`: REST search `_lastUpdated=gt<since>&_sort=_lastUpdated`; `next` is the server's next
 *   link while a traversal is under way, `maxSeen` the newest `meta.lastUpdated` delivered in it
 *   (the next traversal's `since`).
 * - `bulk`: Bulk Data `$export` with `_since`; `job` while the export runs (its status URL),
 *   `files` while its NDJSON output is being read (file index and line within it). The manifest's
 *   `transactionTime` becomes the next `_since`.
 */
const searchCursor = z.object({
  mode: z.literal('search'),
  since: z.string().nullable(),
  next: z.string().nullable(),
  maxSeen: z.string().nullable(),
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
  return cursor.mode === 'search' ? (cursor.next ? cursor.since : (cursor.maxSeen ?? cursor.since)) : cursor.since;
}
