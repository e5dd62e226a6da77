import { z } from 'zod';

/**
 * Position in one entity set: the (modifiedField, key) of the last row delivered, and, in the
 * middle of a traversal, the server's `@odata.nextLink`. A traversal starts at `since` minus the
 * lookback window, inclusive (`m ge S - lookback`), ordered by (modifiedField, key): rows changed in
 * the same instant as the last one read, or committed late with an earlier stamp, are read again
 * and the records store drops the repeats. An expired next link is replaced by the keyset query
 * for rows strictly after (since, lastKey), so the rest of that traversal is neither skipped nor
 * repeated.
 */
export const odataCursorSchema = z.object({
  since: z.string().nullable(),
  lastKey: z.union([z.string(), z.number()]).nullable(),
  next: z.string().nullable(),
});
export type ODataCursor = z.infer<typeof odataCursorSchema>;
