import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { HubActivities } from '../../activities';
import { eventsPendingSignal, type WebhookDispatcherInput, type WebhookDispatcherResult } from '../contracts';

const { dispatchWebhookEvents } = proxyActivities<HubActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Rounds before a fresh run (keeps the history short; far below Temporal's limits). */
const ROUNDS_PER_RUN = 500;

/**
 * One per tenant with webhook endpoints (`webhooks/<slug>/dispatcher`): turns outbox events into
 * deliveries (one per event × subscribed enabled endpoint) and starts one `webhookDelivery`
 * workflow for each. Waits for an `eventsPending` signal or the sweep interval between rounds;
 * ends when the tenant has no enabled endpoint left (signal-with-start brings it back).
 *
 * Exactly once: delivery rows are keyed by (endpoint, event) and delivery workflows by the
 * delivery id with REJECT_DUPLICATE, so a round repeated after a crash creates nothing twice.
 */
export async function webhookDispatcher(input: WebhookDispatcherInput): Promise<WebhookDispatcherResult> {
  let nudged = true;
  setHandler(eventsPendingSignal, () => {
    nudged = true;
  });
  let sweepMs = 60_000;
  for (let round = 1; ; round += 1) {
    if (!nudged) await condition(() => nudged, sweepMs);
    nudged = false;
    const result = await dispatchWebhookEvents({ tenantId: input.tenantId, tenantSlug: input.tenantSlug });
    sweepMs = result.sweepMs;
    if (result.more) nudged = true;
    if (result.enabledEndpoints === 0 && !nudged) return { rounds: round, stopped: 'no_enabled_endpoints' };
    if (round >= ROUNDS_PER_RUN || workflowInfo().continueAsNewSuggested) await continueAsNew<typeof webhookDispatcher>(input);
  }
}
