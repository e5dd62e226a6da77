/**
 * Property access for values a tenant's definition names (paths, JSON pointers): own properties of
 * plain objects and arrays only, never the prototype chain, so `__proto__`, `constructor` or
 * `toString` name nothing.
 */

/** Keys a definition may never name or create anywhere (prototype pollution). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  // Object.prototype of any realm (structuredClone and test sandboxes make objects of another one).
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** `container[key]` when `key` is its own property (an array index for arrays), else undefined. */
export function ownValue(container: unknown, key: string): unknown {
  if (FORBIDDEN_KEYS.has(key)) return undefined;
  if (Array.isArray(container)) {
    if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
    const index = Number(key);
    return index < container.length ? (container[index] as unknown) : undefined;
  }
  if (isPlainObject(container) && Object.prototype.hasOwnProperty.call(container, key)) return container[key];
  return undefined;
}

/** Splits an RFC 6901 JSON pointer (`/a/b~1c`) into its unescaped tokens; '' is the whole document. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one token for a JSON pointer. */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The value at `pointer` in `document`, or undefined. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const token of pointerTokens(pointer)) {
    current = ownValue(current, token);
    if (current === undefined) return undefined;
  }
  return current;
}

/** Sets the value at `pointer` (creating plain objects on the way); refuses forbidden keys. */
export function setPointer(document: Record<string, unknown>, pointer: string, value: unknown): void {
  const tokens = pointerTokens(pointer);
  if (tokens.length === 0) return;
  let current: Record<string, unknown> = document;
  for (const token of tokens.slice(0, -1)) {
    if (FORBIDDEN_KEYS.has(token)) return;
    let next = ownValue(current, token);
    if (!isPlainObject(next)) {
      next = {};
      Object.defineProperty(current, token, { value: next, enumerable: true, writable: true, configurable: true });
    }
    current = next as Record<string, unknown>;
  }
  const last = tokens.at(-1)!;
  if (FORBIDDEN_KEYS.has(last)) return;
  Object.defineProperty(current, last, { value, enumerable: true, writable: true, configurable: true });
}

/** Removes the value at `pointer`; answers what was there. */
export function removePointer(document: Record<string, unknown>, pointer: string): unknown {
  const tokens = pointerTokens(pointer);
  if (tokens.length === 0) return undefined;
  const parent = resolvePointer(document, `/${tokens.slice(0, -1).map(pointerToken).join('/')}`.replace(/^\/$/, ''));
  const last = tokens.at(-1)!;
  if (!isPlainObject(parent) || !Object.prototype.hasOwnProperty.call(parent, last)) return undefined;
  const value = parent[last];
  delete parent[last];
  return value;
}
