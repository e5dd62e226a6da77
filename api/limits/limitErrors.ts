import { type LimitExceededError } from '../../platform/limits/limitCounters';
import { ApiError } from '../errors';

const SCOPE_WORDS = { tenant: 'the tenant', user: 'this user', apiKey: 'this API key' } as const;
const METRIC_WORDS = { apiCalls: 'API calls', jobs: 'jobs', syncs: 'syncs' } as const;

/** The 429 of a used-up period limit: its own code, and Retry-After until the period ends (UTC). */
export function limitExceededApiError(error: LimitExceededError, now: Date = new Date()): ApiError {
  const { definition, limit, raisedUntil } = error.limit;
  const seconds = Math.max(1, Math.ceil((error.resetsAt.getTime() - now.getTime()) / 1000));
  const raised = raisedUntil ? ` (raised until ${raisedUntil.toISOString()})` : '';
  return new ApiError(
    429,
    definition.code,
    `The limit of ${limit} ${METRIC_WORDS[definition.metric]} per ${definition.period} (UTC) of ${SCOPE_WORDS[definition.scope]} is used up${raised}; it resets at ${error.resetsAt.toISOString()}`,
    [{ path: `limits.${definition.id}`, message: `${error.used} of ${limit} used`, used: error.used, limit, resetsAt: error.resetsAt.toISOString() }],
    { 'Retry-After': String(seconds) },
  );
}
