import { ApiError } from '../../api/client';

/** The API's 400 details by field name, for a form's inline errors (`body.slug` → slug). */
export function apiFieldErrors(error: unknown, prefix = 'body.'): Record<string, string> {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return {};
  const found: Record<string, string> = {};
  for (const detail of error.details as Array<{ path?: string; message?: string }>) {
    if (detail.path?.startsWith(prefix) && detail.message) found[detail.path.slice(prefix.length)] ??= detail.message;
  }
  return found;
}
