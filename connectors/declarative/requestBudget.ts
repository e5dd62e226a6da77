import { RateLimitError } from '../errors';
import { type ConnectorDefinitionDocument } from './definitionSchema';

type Limits = NonNullable<ConnectorDefinitionDocument['rateLimit']>;

const WINDOWS = [
  ['perSecond', 1_000],
  ['perMinute', 60_000],
  ['perDay', 86_400_000],
] as const;

/**
 * A definition's declared request budget (per second, minute, day), per connector and worker
 * process (the sync engine's SYNC_CONNECTOR_REQUEST_BUDGET counts pages across workers). The
 * per-second budget waits for its window; a spent minute or day budget is a RateLimitError
 * asking to come back when the window ends (a durable wait in the sync workflow).
 */
export class RequestBudget {
  private static readonly budgets = new Map<string, RequestBudget>();
  private readonly windows = WINDOWS.map(([, length]) => ({ start: 0, used: 0, length }));

  private constructor(private readonly limits: Limits) {}

  static for(connectorId: string, limits: Limits): RequestBudget {
    const key = `${connectorId}:${JSON.stringify([limits.perSecond, limits.perMinute, limits.perDay])}`;
    let budget = RequestBudget.budgets.get(key);
    if (!budget) {
      budget = new RequestBudget(limits);
      if (RequestBudget.budgets.size > 10_000) RequestBudget.budgets.delete(RequestBudget.budgets.keys().next().value!);
      RequestBudget.budgets.set(key, budget);
    }
    return budget;
  }

  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      let waitMs = 0;
      WINDOWS.forEach(([name], index) => {
        const limit = this.limits[name];
        const window = this.windows[index]!;
        if (now - window.start >= window.length) {
          window.start = now;
          window.used = 0;
        }
        if (limit !== undefined && window.used >= limit) waitMs = Math.max(waitMs, window.start + window.length - now);
      });
      if (waitMs === 0) break;
      if (waitMs > 1_000) throw new RateLimitError(`the definition's request budget is spent for ${Math.ceil(waitMs / 1000)} s`, waitMs, 'REQUEST_BUDGET');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    for (const window of this.windows) window.used += 1;
  }
}
