import { z } from 'zod';

/**
 * Optional key scopes narrow what a key may do below its role. A route's scope follows from its
 * path and verb, so no route needs to declare one: `<area>:read` for GET, `<area>:write` for
 * anything else, where the area is the first segment after `/v1` (`users`, `api-keys`, `tenant`,
 * `connectors`, `jobs`, …). A key's scope may also be `<area>:*`, `*:read` or `*`.
 * A key without scopes (null) may do everything its role allows.
 */
export const scopeSchema = z
  .string()
  .regex(/^(\*|[a-z][a-z0-9-]*):(read|write|\*)$|^\*$/, 'must look like users:read, users:write, users:*, *:read or *')
  .describe('A scope: <area>:read|write|* (area = first path segment after /v1), *:read, or *');

/** The scope a route needs, e.g. `GET /v1/users/:id` → `users:read`. */
export function requiredScope(method: string, path: string): string {
  const area = path.split('/').filter(Boolean)[1] ?? 'root';
  return `${area}:${method.toLowerCase() === 'get' ? 'read' : 'write'}`;
}

/** True when `granted` (null: unrestricted) covers `required`. */
export function scopesAllow(granted: readonly string[] | null, required: string): boolean {
  if (granted === null) return true;
  const [area, access] = required.split(':') as [string, string];
  return granted.some((scope) => scope === '*' || scope === required || scope === `${area}:*` || scope === `*:${access}`);
}
