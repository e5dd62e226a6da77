/**
 * In-process wake-ups for webhook drains: the worker's LISTEN connection (dispatchNudger) calls
 * {@link wakeWebhookDrain} when a tenant's deliveries commit, and a drain running in the same
 * process claims them at once instead of at its next poll.
 */
const waiters = new Map<string, Set<() => void>>();

export function wakeWebhookDrain(tenantId: string): void {
  const set = waiters.get(tenantId);
  if (!set) return;
  waiters.delete(tenantId);
  for (const wake of set) wake();
}

/** Resolves at the tenant's next wake-up, or after `ms`. */
export function waitForWebhookDrainWake(tenantId: string, ms: number): { promise: Promise<void>; cancel(): void } {
  let wake!: () => void;
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    wake = () => {
      clearTimeout(timer);
      waiters.get(tenantId)?.delete(wake);
      resolve();
    };
    timer = setTimeout(wake, ms);
    timer.unref();
  });
  let set = waiters.get(tenantId);
  if (!set) waiters.set(tenantId, (set = new Set()));
  set.add(wake);
  return { promise, cancel: wake };
}
