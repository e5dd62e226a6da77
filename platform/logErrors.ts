import pino from 'pino';

/** How deep into a log line's plain objects and arrays errors are looked for. */
const MAX_DEPTH = 5;

/**
 * A log line's fields with every Error in them (at any depth of plain objects and arrays, e.g.
 * the Temporal SDK's `{ error }` meta) written out as `{ type, message, stack, cause, … }`:
 * JSON shows an Error as `{}`, which loses the reason. Returns `fields` itself when it holds no
 * Error. The top-level `err` is left to pino's own serializer.
 */
export function serializeErrors<T>(fields: T, depth = 0): T {
  if (fields instanceof Error) return pino.stdSerializers.errWithCause(fields) as T;
  if (depth >= MAX_DEPTH || fields === null || typeof fields !== 'object') return fields;
  if (Array.isArray(fields)) {
    const items = fields.map((item: unknown) => serializeErrors(item, depth + 1));
    return items.some((item, index) => item !== fields[index]) ? (items as T) : fields;
  }
  const prototype = Object.getPrototypeOf(fields) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return fields;
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (depth === 0 && key === 'err') continue;
    const serialized = serializeErrors(value, depth + 1);
    if (serialized !== value) {
      copy ??= { ...(fields as Record<string, unknown>) };
      copy[key] = serialized;
    }
  }
  return (copy as T | undefined) ?? fields;
}
