/**
 * How connector failures are classified. Activities turn them into Temporal failures:
 * - {@link AuthError}: credentials rejected or revoked. Not retried; the connector is paused and
 *   `connector.auth_failed` is emitted.
 * - {@link ConfigError}: the configuration cannot work (unknown stream, bad URL, forbidden host,
 *   missing permission on an object). Not retried.
 * - {@link RateLimitError}: the system asked us to slow down; retried after `retryAfterMs`.
 * - {@link TransientError}: anything worth retrying with backoff (5xx, timeouts, resets).
 */
export abstract class ConnectorError extends Error {
  abstract readonly kind: 'auth' | 'config' | 'rate_limit' | 'transient';
  constructor(
    message: string,
    /** The HTTP status or provider error code, when there is one. */
    readonly code?: string | number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class AuthError extends ConnectorError {
  readonly kind = 'auth' as const;
}

export class ConfigError extends ConnectorError {
  readonly kind = 'config' as const;
}

export class RateLimitError extends ConnectorError {
  readonly kind = 'rate_limit' as const;
  constructor(
    message: string,
    /** How long the server asked us to wait (from Retry-After), in milliseconds. */
    readonly retryAfterMs: number,
    code?: string | number,
    options?: { cause?: unknown },
  ) {
    super(message, code, options);
  }
}

export class TransientError extends ConnectorError {
  readonly kind = 'transient' as const;
}

/** Temporal failure types the activities use for each class (nonRetryableErrorTypes lists the first two); defined with the Temporal contracts. */
export { CONNECTOR_FAILURE_TYPES } from '../workflows/contracts/failureTypes';

/**
 * Parses an HTTP `Retry-After` header (seconds or an HTTP date) into milliseconds;
 * `fallbackMs` when absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, fallbackMs: number, now: number = Date.now()): number {
  if (!header) return fallbackMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return fallbackMs;
}

/**
 * Classifies an HTTP status the way most providers mean it: 401/403 auth, 429 rate limit,
 * 408/5xx transient, other 4xx configuration.
 */
export function errorForHttpStatus(status: number, message: string, retryAfter?: string | null): ConnectorError {
  if (status === 401 || status === 403) return new AuthError(message, status);
  if (status === 429) return new RateLimitError(message, retryAfterMs(retryAfter, 30_000), status);
  if (status === 408 || status >= 500) return new TransientError(message, status);
  return new ConfigError(message, status);
}
