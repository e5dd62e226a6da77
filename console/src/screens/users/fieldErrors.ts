import { ApiError } from '../../api/client';
import { fieldErrors as apiFieldErrors } from '../../ui/fieldErrors';

/** The API's 400 details by field name (see ui/fieldErrors); a 409 EMAIL_TAKEN belongs to the e-mail field too. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (error instanceof ApiError && error.code === 'EMAIL_TAKEN') return { email: error.message };
  return apiFieldErrors(error);
}
