import { ApiError } from '../../api/client';

/**
 * The API's 400 details (`[{ path: 'body.email', message }]`) by field name, for inline errors;
 * a 409 EMAIL_TAKEN belongs to the e-mail field too.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  if (error.code === 'EMAIL_TAKEN') return { email: error.message };
  if (error.status !== 400 || !Array.isArray(error.details)) return {};
  const byField: Record<string, string> = {};
  for (const detail of error.details as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof detail.path !== 'string' || typeof detail.message !== 'string') continue;
    const field = detail.path.replace(/^body\./, '').split('.')[0]!;
    byField[field] ??= detail.message;
  }
  return byField;
}
