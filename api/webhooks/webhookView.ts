import { z } from 'zod';
import { EVENT_TYPES } from '../../platform/events/emitEvent';
import { assertAllowedUrl, ForbiddenDestinationError, type NetworkPolicy } from '../../platform/network/guardedNetwork';
import { type HubConfig } from '../../platform/config';
import { temporalUiUrl } from '../../platform/temporal/connection';
import { type WebhookAttemptRow, type WebhookDeliveryRow, type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { ApiError } from '../errors';
import { assertResolvesToAllowed } from '../connectors/connectorInput';

export const webhookIdParams = z.strictObject({ id: z.uuid() });

/** Subscribed event types: at least one, no repeats. */
export const webhookEventsSchema = z
  .array(z.enum(EVENT_TYPES))
  .min(1)
  .max(EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, 'event types must not repeat')
  .meta({ uniqueItems: true })
  .describe(`Event types to deliver: ${EVENT_TYPES.join(', ')}`);

/** Per-endpoint delivery settings, on create and PATCH (null: back to the default). */
export const webhookDeliverySettingsSchema = {
  maxInFlight: z
    .number()
    .int()
    .min(1)
    .max(500)
    .nullable()
    .optional()
    .describe('Concurrent requests to this endpoint (null or absent: WEBHOOK_MAX_IN_FLIGHT, 50 by default); ordered endpoints get one'),
  rateLimitPerSecond: z.number().min(0.01).max(10_000).nullable().optional().describe('Requests per second to this endpoint (null or absent: unlimited)'),
  ordered: z.boolean().optional().describe('Deliver in event order, one request at a time (a failing event holds the later ones back)'),
};

/** An endpoint as the API shows it: never its secret (only creation answers that, once). */
export const webhookSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z
    .enum(['manual', 'gone', 'failing'])
    .nullable()
    .describe('manual: PATCH enabled=false; gone: the receiver answered 410; failing: deliveries failed for WEBHOOK_DISABLE_AFTER'),
  disabledAt: z.iso.datetime().nullable(),
  failingSince: z.iso.datetime().nullable(),
  lastSuccessAt: z.iso.datetime().nullable(),
  lastFailureAt: z.iso.datetime().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  maxInFlight: z.number().int().nullable().describe('null: WEBHOOK_MAX_IN_FLIGHT'),
  rateLimitPerSecond: z.number().nullable().describe('null: unlimited'),
  ordered: z.boolean(),
  breaker: z
    .object({ state: z.enum(['closed', 'open', 'half_open']), openedAt: z.iso.datetime().nullable() })
    .describe('The circuit breaker: open while most recent attempts fail (deliveries wait; a probe follows after WEBHOOK_BREAKER_COOLDOWN)'),
});

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function toWebhookView(row: WebhookEndpointRow): z.infer<typeof webhookSchema> {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.status === 'enabled',
    status: row.status,
    disabledReason: row.disabled_reason,
    disabledAt: iso(row.disabled_at),
    failingSince: iso(row.failing_since),
    lastSuccessAt: iso(row.last_success_at),
    lastFailureAt: iso(row.last_failure_at),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    maxInFlight: row.max_in_flight,
    rateLimitPerSecond: row.rate_limit_per_second,
    ordered: row.ordered,
    breaker: { state: row.breaker_state, openedAt: iso(row.breaker_opened_at) },
  };
}

/** Columns of the view (never the secret's ciphertext). */
export const webhookViewColumns = [
  'id',
  'tenant_id',
  'url',
  'description',
  'events',
  'status',
  'disabled_reason',
  'disabled_at',
  'failing_since',
  'last_success_at',
  'last_failure_at',
  'created_by',
  'created_at',
  'updated_at',
  'max_in_flight',
  'rate_limit_per_second',
  'ordered',
  'breaker_state',
  'breaker_opened_at',
];

export const attemptSchema = z.object({
  id: z.uuid(),
  attempt: z.number().int(),
  trigger: z.enum(['automatic', 'manual']),
  outcome: z.enum(['in_flight', 'succeeded', 'failed', 'interrupted']),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
  retryAfterMs: z.number().int().nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});

export const deliverySchema = z.object({
  id: z.uuid(),
  webhookId: z.uuid(),
  eventId: z.uuid().describe('also the webhook-id header of every attempt'),
  eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']),
  attemptCount: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.iso.datetime().nullable(),
  nextAttemptAt: z.iso.datetime().nullable(),
  succeededAt: z.iso.datetime().nullable(),
  workflowId: z.string().describe("the tenant's webhook drainer, webhooks/<slug>/drainer"),
  temporalUiUrl: z
    .url()
    .describe("The workflow delivering it in the Temporal UI: the tenant's webhook drainer (deliveries made before the drainer: their own workflow)"),
  createdAt: z.iso.datetime(),
  attempts: z.array(attemptSchema).describe('oldest first'),
});

export function toAttemptView(row: WebhookAttemptRow): z.infer<typeof attemptSchema> {
  return {
    id: row.id,
    attempt: row.attempt,
    trigger: row.trigger,
    outcome: row.outcome,
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    error: row.error,
    retryAfterMs: row.retry_after_ms,
    startedAt: row.started_at.toISOString(),
    finishedAt: iso(row.finished_at),
  };
}

export function toDeliveryView(
  row: WebhookDeliveryRow,
  attempts: WebhookAttemptRow[],
  config: Pick<HubConfig, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>,
): z.infer<typeof deliverySchema> {
  return {
    id: row.id,
    webhookId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attemptCount: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: iso(row.last_attempt_at),
    nextAttemptAt: iso(row.next_attempt_at),
    succeededAt: iso(row.succeeded_at),
    workflowId: row.workflow_id,
    temporalUiUrl: temporalUiUrl(config, row.workflow_id),
    createdAt: row.created_at.toISOString(),
    attempts: attempts.map(toAttemptView),
  };
}

/**
 * The SSRF guard for endpoint URLs, at registration and update: https only (http with
 * HUB_ALLOW_PRIVATE_NETWORK), no credentials in the URL, no loopback/private/link-local/metadata
 * host or address it resolves to, outside the tenant's allowances (see networkPolicyFor). 400 URL_NOT_ALLOWED naming `body.url`. (Every delivery checks
 * the connection again after DNS.)
 */
export async function assertWebhookUrlAllowed(url: string, policy: NetworkPolicy): Promise<void> {
  try {
    const parsed = assertAllowedUrl(url, policy);
    await assertResolvesToAllowed(parsed.hostname, policy);
  } catch (error) {
    if (error instanceof ForbiddenDestinationError) {
      throw new ApiError(400, 'URL_NOT_ALLOWED', `body.url: ${error.message}`, [{ path: 'body.url', message: error.message }]);
    }
    throw error;
  }
}
