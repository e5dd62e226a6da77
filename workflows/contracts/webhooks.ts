import { defineSignal } from '@temporalio/workflow';

/** Wakes a tenant's `webhookDispatcher`: events are waiting to be fanned out. */
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
