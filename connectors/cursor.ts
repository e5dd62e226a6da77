import { type z } from 'zod';
import { ConfigError } from './errors';

/**
 * Connectors keep their position in an opaque string the sync engine stores with each page.
 * These helpers JSON-encode it and validate it on the way back, so a corrupted or foreign cursor
 * fails as a ConfigError instead of reading from a wrong place.
 */
export function encodeCursor<T>(value: T): string {
  return JSON.stringify(value);
}

/** Parses a cursor written by encodeCursor; null stays null (start from the beginning). */
export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string | null, connector: string): z.infer<S> | null {
  if (cursor === null || cursor === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    throw new ConfigError(`${connector}: the stored cursor is not JSON`, 'BAD_CURSOR');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new ConfigError(`${connector}: the stored cursor is not one this connector wrote`, 'BAD_CURSOR');
  return result.data;
}
