import { z } from 'zod';

/**
 * A required text field of at most `max` characters, stored trimmed. Blank input is refused by
 * the published pattern (a non-space character somewhere), so what the OpenAPI document accepts
 * is what the handler stores: never an empty string after trimming.
 */
export function nonBlankText(max: number) {
  return z.string().max(max).regex(NON_BLANK, 'must not be blank').trim();
}

/** A non-space character somewhere, and no U+0000 anywhere (the API's rule for every string). */
const NON_BLANK = /^[^\u0000]*[^\s\u0000][^\u0000]*$/;
