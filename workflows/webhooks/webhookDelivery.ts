import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { HubActivities } from '../../activities';
import { retryNowSignal, type WebhookDeliveryInput, type WebhookDeliveryResult } from '../contracts';

const { attemptWebhookDelivery } = proxyActivities<HubActivities>({
  // One attempt is bounded by WEBHOOK_TIMEOUT (15 s); heartbeats every second while it waits, so a
  // worker that dies mid-request is noticed within seconds and the attempt retried elsewhere.
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Delivers one event to one endpoint (`webhook/<slug>/<deliveryId>`), Standard Webhooks style:
 * attempts until a 2xx, a 410 (the endpoint is disabled), the endpoint being disabled or deleted,
 * or the retry schedule running out. Between attempts it waits durably: the schedule's delay with
 * ±20% jitter, or the receiver's Retry-After on 429/503. Every attempt's `webhook-id` is the event
 * id. The activity records attempts idempotently and never re-sends an intent that succeeded.
 */
export async function webhookDelivery(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  let retryRequested = false;
  setHandler(retryNowSignal, () => {
    retryRequested = true;
  });
  const manual = input.manualRetryId !== undefined;
  const intent = manual ? `manual:${input.manualRetryId}` : 'auto';
  let trigger: 'automatic' | 'manual' = manual ? 'manual' : 'automatic';
  for (let attempt = 1; ; attempt += 1) {
    const final = manual || attempt > input.retryDelaysMs.length;
    const base = final ? 0 : input.retryDelaysMs[attempt - 1]!;
    // Jitter spreads retries of many deliveries that failed together (Math.random is seeded per run).
    const plannedDelayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    const result = await attemptWebhookDelivery({ tenantId: input.tenantId, deliveryId: input.deliveryId, attempt, intent, trigger, final, plannedDelayMs });
    if (result.done) return { outcome: result.outcome, attempts: attempt };
    retryRequested = false;
    const woken = await condition(() => retryRequested, result.nextDelayMs);
    trigger = woken ? 'manual' : 'automatic';
  }
}
