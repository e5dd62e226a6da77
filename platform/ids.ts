import { createHash } from 'node:crypto';

/**
 * A UUID (version 5 layout, SHA-256 based) derived from a name, for rows and events that a retried
 * activity must create exactly once: the same name always gives the same id, so an insert with
 * `on conflict (id) do nothing` is idempotent. Names should say what they identify, e.g.
 * `job-event:<jobId>:completed`.
 */
export function uuidFromName(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
