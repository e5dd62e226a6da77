import { type Request } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ApiError } from '../errors';

/**
 * A per-address budget of failed authentications (a missing, malformed, unknown, revoked or
 * expired API key; a missing or wrong admin token), checked before any key lookup: once an
 * address has failed `failures` times within `windowMs`, every request of it that needs a
 * credential answers 429 RATE_LIMITED with Retry-After until the window ends, without touching the
 * database. Counted in memory by each replica (rate-limiter-flexible): a shared counter would cost
 * the database write per bad request this throttle is there to spare. `failures: 0` turns it off.
 */
export class AuthFailureThrottle {
  private readonly limiter: RateLimiterMemory | undefined;

  constructor(private readonly options: { failures: number; windowMs: number }) {
    this.limiter =
      options.failures > 0
        ? new RateLimiterMemory({ keyPrefix: 'auth-failures', points: options.failures, duration: Math.max(1, Math.ceil(options.windowMs / 1000)) })
        : undefined;
  }

  /**
   * Runs `authenticate` for the request's address (`req.ip`, as `API_TRUST_PROXY` resolves it)
   * unless that address has used up its budget; a 401 from it counts against the budget.
   */
  async authenticate<T>(req: Request, authenticate: () => T | Promise<T>): Promise<T> {
    const limiter = this.limiter;
    if (!limiter) return authenticate();
    const address = req.ip ?? 'unknown';
    const state = await limiter.get(address);
    if (state && state.consumedPoints >= this.options.failures) throw throttled(state.msBeforeNext);
    try {
      return await authenticate();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) await limiter.penalty(address, 1);
      throw error;
    }
  }
}

function throttled(msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(429, 'RATE_LIMITED', `Too many requests with missing or invalid credentials from this address; retry in ${seconds} s`, undefined, {
    'Retry-After': String(seconds),
  });
}
