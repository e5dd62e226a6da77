import { ApiError } from '../api/client';

/** The API's message for one body field of a 400 (`details[].path` is `body.<field>`), for an inline error. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError) || error.status !== 400 || !Array.isArray(error.details)) return undefined;
  const detail = (error.details as Array<{ path?: string; message?: string }>).find((entry) => entry.path === `body.${field}`);
  return detail?.message;
}
