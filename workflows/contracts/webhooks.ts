import { defineSignal } from '@temporalio/workflow';

/** Wakes a tenant's `webhookDrainer` (and a legacy `webhookDispatcher`): deliveries are due. */
export const eventsPendingSignal = defineSignal('eventsPending');
/** Makes a `webhookDelivery` attempt now (the API's retry of a delivery), with the retry's id. */
export const retryNowSignal = defineSignal<[retryId: string]>('retryNow');

/** Input of `webhookDispatcher`: one dispatcher per tenant fans its outbox out to endpoints. */
export interface WebhookDispatcherInput {
  tenantId: string;
  tenantSlug: string;
}

/** What `webhookDispatcher` ends with: it stops once the tenant has no enabled endpoint. */
export interface WebhookDispatcherResult {
  rounds: number;
  stopped: 'no_enabled_endpoints';
}

/** The signature of `webhookDispatcher`, for typed starts from code that may not import workflows/. */
export type WebhookDispatcherWorkflow = (input: WebhookDispatcherInput) => Promise<WebhookDispatcherResult>;

/** Input of `webhookDelivery`: one workflow per delivery of an event to an endpoint. */
export interface WebhookDeliveryInput {
  tenantId: string;
  tenantSlug: string;
  deliveryId: string;
  /** Waits after failed attempts 1, 2, … (WEBHOOK_RETRY_SCHEDULE); attempts = length + 1. */
  retryDelaysMs: number[];
  /** Set for a manual re-send of a finished delivery: one attempt, its own success slot. */
  manualRetryId?: string;
}

export interface WebhookDeliveryResult {
  outcome: string;
  attempts: number;
}

/** The signature of `webhookDelivery`, for typed starts from activities and the API. */
export type WebhookDeliveryWorkflow = (input: WebhookDeliveryInput) => Promise<WebhookDeliveryResult>;

/** Input of `webhookDrainer`: one per tenant with webhook endpoints claims and sends its due deliveries. */
export interface WebhookDrainerInput {
  tenantId: string;
  tenantSlug: string;
}

/** What `webhookDrainer` ends with: it stops once the tenant has no enabled endpoint and nothing due. */
export interface WebhookDrainerResult {
  runs: number;
  stopped: 'no_enabled_endpoints';
}

/** The signature of `webhookDrainer`, for typed starts from the API and activities. */
export type WebhookDrainerWorkflow = (input: WebhookDrainerInput) => Promise<WebhookDrainerResult>;

/** What one `drainWebhookDeliveries` activity reports to its drainer. */
export interface WebhookDrainResult {
  /** Attempts this activity made. */
  sent: number;
  enabledEndpoints: number;
  /** When the tenant's next delivery falls due (or a circuit breaker half-opens), from now; null: none. */
  nextDueInMs: number | null;
  /** WEBHOOK_DISPATCH_SWEEP: the longest idle wait. */
  sweepMs: number;
}
