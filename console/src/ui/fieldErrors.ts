import { ApiError } from '../api/client';

/**
 * The API's 400 details (`[{ path: 'body.params.dataset', message }]`) as messages by field
 * name below `prefix` (`dataset`), for a form's inline errors.
 */
export function fieldErrors(error: unknown, prefix = 'body.'): Record<string, string> {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return {};
  const byField: Record<string, string> = {};
  for (const detail of error.details as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof detail?.path !== 'string' || typeof detail.message !== 'string' || !detail.path.startsWith(prefix)) continue;
    const field = detail.path.slice(prefix.length);
    byField[field] ??= detail.message;
  }
  return byField;
}
