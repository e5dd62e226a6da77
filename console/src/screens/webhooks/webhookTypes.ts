import type { RequestBody, ResponseBody } from '../../api/types';

export type Webhook = ResponseBody<'/v1/webhooks', 'get'>['data'][number];
export type Delivery = ResponseBody<'/v1/webhooks/{id}/deliveries', 'get'>['data'][number];
export type DeliveryAttempt = Delivery['attempts'][number];
/** The event types an endpoint may subscribe to: the API's enum. */
export type WebhookEventType = RequestBody<'/v1/webhooks', 'post'>['events'][number];

/**
 * Every event type with what it means. Keyed by the schema's enum, so an event the API adds
 * fails the typecheck until the console offers it.
 */
export const WEBHOOK_EVENTS: Record<WebhookEventType, string> = {
  'sync.completed': 'A sync finished',
  'sync.failed': 'A sync failed',
  'job.completed': 'A bulk job finished',
  'job.failed': 'A bulk job failed',
  'connector.auth_failed': 'A connector’s credentials were refused',
  'invoice.created': 'An invoice was issued',
  'invoice.paid': 'An invoice was paid',
  'invoice.payment_failed': 'An invoice payment failed',
  'webhook.endpoint.disabled': 'An endpoint was disabled (failing for days, or gone)',
  'webhook.endpoint.failing': 'An endpoint’s circuit breaker opened (most recent attempts failed)',
};

export const DELIVERY_STATUS_COLORS: Record<Delivery['status'], string> = {
  pending: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'gray',
};

export const ATTEMPT_OUTCOME_COLORS: Record<DeliveryAttempt['outcome'], string> = {
  in_flight: 'blue',
  succeeded: 'green',
  failed: 'red',
  interrupted: 'orange',
};

export const DISABLED_REASONS: Record<NonNullable<Webhook['disabledReason']>, string> = {
  manual: 'disabled by hand',
  gone: 'the receiver answered 410 Gone',
  failing: 'deliveries kept failing',
};
