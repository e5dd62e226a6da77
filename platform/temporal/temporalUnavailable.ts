import { type Client, ServiceError } from '@temporalio/client';

/** gRPC status codes that mean "Temporal could not be reached in time" (not "Temporal refused"). */
const UNREACHABLE_CODES = new Set([
  14, // UNAVAILABLE: no connection (server down, restarting, network)
  4, // DEADLINE_EXCEEDED: no answer before the call's deadline
]);

/**
 * How long an API request waits for Temporal to accept a workflow start before it answers 503.
 * The client's own retries of an unreachable server would hold the request for about 20 s.
 */
export const WORKFLOW_START_DEADLINE_MS = 10_000;

/** True when `error` says Temporal was unreachable (the call may be retried later), not that it refused. */
export function isTemporalUnavailable(error: unknown): boolean {
  const code = error instanceof ServiceError ? (error.cause as { code?: unknown } | undefined)?.code : (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && UNREACHABLE_CODES.has(code);
}

/** Runs `call` (a workflow start) with the {@link WORKFLOW_START_DEADLINE_MS} deadline. */
export function withStartDeadline<T>(client: Client, call: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + WORKFLOW_START_DEADLINE_MS, call);
}
