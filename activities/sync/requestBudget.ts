import { type Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { durationMs } from '../../platform/config';

/** `600/1m` → 600 requests per 60 s window (windows are whole seconds). */
export function parseRequestBudget(value: string): { requests: number; windowSeconds: number } {
  const match = /^(\d+)\/(\d+(?:ms|s|m|h))$/.exec(value);
  if (!match) throw new Error(`not a request budget: ${value}`);
  return { requests: Math.max(1, Number(match[1])), windowSeconds: Math.max(1, Math.round(durationMs(match[2]!) / 1000)) };
}

/**
 * The per-connector request budget of syncs (SYNC_CONNECTOR_REQUEST_BUDGET), shared by every worker
 * through rate-limiter-flexible's Postgres store (`rate_limits`): each page a sync reads takes one
 * request from its connector's window. One busy connector then cannot monopolise a provider (or
 * the workers) at the expense of the others; a page over budget waits on a durable timer in the
 * workflow instead of spinning.
 */
export class ConnectorRequestBudget {
  private readonly limiter: RateLimiterPostgres;

  constructor(knex: Knex, budget: string) {
    const { requests, windowSeconds } = parseRequestBudget(budget);
    this.limiter = new RateLimiterPostgres({
      storeClient: knex,
      storeType: 'knex',
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix: `sync-connector-${requests}-${windowSeconds}`,
      points: requests,
      duration: windowSeconds,
    });
  }

  /** Takes one request for `connectorId`; when the window is used up, says how long to wait. */
  async take(connectorId: string): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> {
    try {
      await this.limiter.consume(connectorId, 1);
      return { allowed: true };
    } catch (error) {
      if (error instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(100, error.msBeforeNext) };
      throw error;
    }
  }
}
