import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { HubActivities } from '../../activities';
import { eventsPendingSignal, type WebhookDrainerInput, type WebhookDrainerResult } from '../contracts';

const { drainWebhookDeliveries } = proxyActivities<HubActivities>({
  // One drain runs for at most WEBHOOK_DRAIN_RUN (minutes) and heartbeats every second: a worker
  // killed mid-drain is noticed within seconds and the drain resumes on another worker, which
  // marks the lost attempts interrupted (once WEBHOOK_TIMEOUT has surely ended them) and sends
  // them again.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

/** Drains before a fresh run (keeps the history short). */
const DRAINS_PER_RUN = 200;

/**
 * One per tenant with webhook endpoints (`webhooks/<slug>/drainer`): keeps the tenant's deliveries
 * moving. Each `drainWebhookDeliveries` activity claims due deliveries in batches (SKIP LOCKED),
 * sends them concurrently within each endpoint's limits, and writes results and next attempt
 * times back in batches, until the tenant has been idle for a while. Between drains the workflow
 * waits for an `eventsPending` signal (new deliveries) or the next due time; it ends when the
 * tenant has no enabled endpoint and nothing due (signal-with-start brings it back).
 */
export async function webhookDrainer(input: WebhookDrainerInput): Promise<WebhookDrainerResult> {
  let nudged = true;
  setHandler(eventsPendingSignal, () => {
    nudged = true;
  });
  let waitMs = 60_000;
  for (let run = 1; ; run += 1) {
    if (!nudged) await condition(() => nudged, waitMs);
    nudged = false;
    const result = await drainWebhookDeliveries({ tenantId: input.tenantId, tenantSlug: input.tenantSlug });
    waitMs = Math.max(200, Math.min(result.sweepMs, result.nextDueInMs ?? result.sweepMs));
    if (result.enabledEndpoints === 0 && result.nextDueInMs === null && !nudged) return { runs: run, stopped: 'no_enabled_endpoints' };
    if (run >= DRAINS_PER_RUN || workflowInfo().continueAsNewSuggested) await continueAsNew<typeof webhookDrainer>(input);
  }
}
