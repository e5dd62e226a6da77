import { AuthError, ConfigError, type ConnectorError, errorForHttpStatus, RateLimitError, retryAfterMs, TransientError } from '../errors';
import { classifyTransportError } from '../transportErrors';

/** One entry of an Intuit `Fault.Error` list (Intuit spells the keys both ways). */
interface IntuitError {
  Message?: string;
  message?: string;
  Detail?: string;
  detail?: string;
  code?: string;
}

/** What node-quickbooks hands its callbacks on failure: an axios error, or a 200 body holding a Fault. */
interface QboFailure {
  message?: string;
  code?: string;
  response?: { status?: number; data?: unknown; headers?: Record<string, unknown> };
  Fault?: { Error?: IntuitError[]; type?: string };
  fault?: { error?: IntuitError[]; type?: string };
}

/** Retry-After fallback when Intuit throttles without one: its limits are per minute. */
const THROTTLE_FALLBACK_MS = 60_000;

/**
 * Classifies a node-quickbooks failure: 401 / `AuthenticationFailed` (3200) is an AuthError, 429 /
 * `ThrottleExceeded` a RateLimitError honouring Retry-After, 5xx and socket failures TransientErrors,
 * validation faults ConfigErrors. The message carries Intuit's code and detail, never tokens.
 */
export function classifyQuickBooksError(error: unknown, what: string): unknown {
  const failure = (error ?? {}) as QboFailure;
  // axios' own size check (maxContentLength, set to CONNECTOR_MAX_RESPONSE_BYTES by the transport).
  const axiosLimit = /^maxContentLength size of (\d+) exceeded$/.exec(failure.message ?? '');
  if (axiosLimit)
    return new ConfigError(
      `${what}: response too large: response exceeds the limit of ${axiosLimit[1]} bytes (CONNECTOR_MAX_RESPONSE_BYTES)`,
      'RESPONSE_TOO_LARGE',
      {
        cause: error,
      },
    );
  const status = failure.response?.status;
  const body = (failure.response?.data ?? (failure.Fault || failure.fault ? failure : undefined)) as QboFailure | { error?: string } | undefined;
  const intuit = intuitErrors(body);
  const detail = intuit
    .map((entry) => `${entry.code ?? '?'} ${entry.Message ?? entry.message ?? ''}${(entry.Detail ?? entry.detail) ? ` (${entry.Detail ?? entry.detail})` : ''}`)
    .join('; ');
  const oauthError = typeof (body as { error?: unknown } | undefined)?.error === 'string' ? (body as { error: string }).error : undefined;
  const message = `${what}: ${status ? `HTTP ${status}` : 'QuickBooks fault'}${detail ? ` ${detail}` : ''}${oauthError ? ` ${oauthError}` : ''}`;
  const code = intuit[0]?.code ?? oauthError ?? status;

  if (oauthError === 'invalid_grant' || oauthError === 'invalid_client') return new AuthError(message, oauthError, { cause: error });
  if (status !== undefined) {
    if (status === 429) {
      const header = failure.response?.headers?.['retry-after'];
      return new RateLimitError(message, retryAfterMs(typeof header === 'string' ? header : undefined, THROTTLE_FALLBACK_MS), 429, { cause: error });
    }
    const classified: ConnectorError = errorForHttpStatus(status, message);
    return Object.assign(classified, { code }) as ConnectorError;
  }
  if (intuit.length) {
    const type = (failure.Fault?.type ?? failure.fault?.type ?? '').toUpperCase();
    if (type === 'AUTHENTICATION' || intuit.some((entry) => entry.code === '3200')) return new AuthError(message, code, { cause: error });
    if (intuit.some((entry) => entry.code === '3001' || entry.code === '003001'))
      return new RateLimitError(message, THROTTLE_FALLBACK_MS, code, { cause: error });
    if (type === 'SERVICE' || type === 'SYSTEMFAULT') return new TransientError(message, code, { cause: error });
    return new ConfigError(message, code, { cause: error });
  }
  return classifyTransportError(error, what);
}

function intuitErrors(body: unknown): IntuitError[] {
  const record = (body ?? {}) as QboFailure;
  return record.Fault?.Error ?? record.fault?.error ?? [];
}

/** True for the failure a refreshed access token can cure. */
export function isExpiredAccessToken(error: unknown): boolean {
  return error instanceof AuthError && (error.code === '3200' || error.code === 401);
}
