import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Fields every log line written inside a unit of work carries: the API request (`requestId`,
 * `tenantId`) or the Temporal activity (`workflowId`, `runId`, `activityType`, `tenantId`).
 * The process logger reads them through a pino mixin, so code logging through `deps.logger`
 * needs no child loggers and no plumbing.
 */
export interface LogContext {
  requestId?: string;
  tenantId?: string;
  workflowId?: string;
  runId?: string;
  activityType?: string;
  activityId?: string;
  attempt?: number;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` added to the current log context. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  const current = storage.getStore();
  return storage.run(current ? { ...current, ...context } : context, fn);
}

/** Adds fields to the current context (e.g. the tenant once a request is authenticated). */
export function addToLogContext(context: LogContext): void {
  const current = storage.getStore();
  if (current) Object.assign(current, context);
}

/** The current context (empty outside any unit of work). */
export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
