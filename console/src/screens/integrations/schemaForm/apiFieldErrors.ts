import { ApiError } from '../../../api/client';
import { type FieldErrors } from './jsonSchema';

interface ErrorDetail {
  path?: unknown;
  message?: unknown;
}

/**
 * Splits a 400's details into errors for the form's fields (`body.config.instanceUrl` →
 * `config` / `instanceUrl`) and the rest, which the form shows as one alert.
 */
export function apiFieldErrors(error: unknown, sections: readonly string[]): { bySection: Record<string, FieldErrors>; unplaced: string[] } {
  const bySection: Record<string, FieldErrors> = Object.fromEntries(sections.map((section) => [section, {}]));
  const unplaced: string[] = [];
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return { bySection, unplaced };
  for (const detail of error.details as ErrorDetail[]) {
    const path = typeof detail.path === 'string' ? detail.path : '';
    const message = typeof detail.message === 'string' ? detail.message : error.message;
    const [root, section, ...rest] = path.split('.');
    if (root === 'body' && section !== undefined && section in bySection && rest.length > 0) bySection[section]![rest.join('.')] = message;
    else if (root === 'body' && section !== undefined && section in bySection) bySection[section]![''] = message;
    else unplaced.push(path ? `${path}: ${message}` : message);
  }
  return { bySection, unplaced };
}
