import { ApiError } from '../../api/client';

/**
 * The API's 400 details under `prefix` (e.g. `body.settings.security`) by field name, for inline
 * errors: `body.settings.security.ipAllowlist.2` → `ipAllowlist`, with the message naming the entry.
 */
export function fieldErrorsOf(error: unknown, prefix: string): Record<string, string> {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return {};
  const found: Record<string, string> = {};
  for (const detail of error.details as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof detail.path !== 'string' || typeof detail.message !== 'string' || !detail.path.startsWith(`${prefix}.`)) continue;
    const [field, ...rest] = detail.path.slice(prefix.length + 1).split('.');
    if (!field || found[field]) continue;
    found[field] = rest.length > 0 && /^\d+$/.test(rest[0]!) ? `entry ${Number(rest[0]) + 1}: ${detail.message}` : detail.message;
  }
  return found;
}
