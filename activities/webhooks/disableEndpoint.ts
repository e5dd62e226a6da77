import { appendAudit } from '../../platform/audit';
import { type TenantTransaction } from '../../platform/db';
import { emitEvent } from '../../platform/events/emitEvent';
import { uuidFromName } from '../../platform/ids';
import { type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';

/**
 * Disables an endpoint the hub gave up on (410 Gone, or failing for WEBHOOK_DISABLE_AFTER) and
 * tells the tenant: a `notifications` row addressed to its admins (and the tenant's notification
 * recipients), a `webhook.endpoint.disabled` event for its other endpoints, and an audit row.
 * Idempotent on `eventKey` (a retried activity disables once).
 */
export async function disableEndpoint(
  trx: TenantTransaction,
  input: { tenantId: string; endpoint: Pick<WebhookEndpointRow, 'id' | 'url'>; reason: 'gone' | 'failing'; detail: string; eventKey: string },
): Promise<void> {
  const updated = await trx('webhook_endpoints')
    .where({ id: input.endpoint.id, status: 'enabled' })
    .update({ status: 'disabled', disabled_reason: input.reason, disabled_at: trx.fn.now(), updated_at: trx.fn.now() });
  if (updated === 0) return;

  const admins = (await trx('users').where({ tenant_id: input.tenantId, role: 'admin' }).whereIn('status', ['active', 'invited']).pluck('email')) as string[];
  const tenant = (await trx('tenants').where({ id: input.tenantId }).first('settings')) as
    { settings: { notifications?: { emailRecipients?: string[] } } } | undefined;
  const recipients = [...new Set([...admins, ...(tenant?.settings?.notifications?.emailRecipients ?? [])])];
  const data = { endpointId: input.endpoint.id, url: input.endpoint.url, reason: input.reason, detail: input.detail };
  await trx('notifications')
    .insert({
      id: uuidFromName(`notification:${input.eventKey}`),
      tenant_id: input.tenantId,
      kind: 'webhook.endpoint_disabled',
      recipients,
      subject: `Webhook endpoint disabled: ${input.endpoint.url}`,
      body: `The hub stopped delivering webhooks to ${input.endpoint.url}: ${input.detail}. Fix the receiver, then re-enable the endpoint (PATCH /v1/webhooks/${input.endpoint.id} {"enabled": true}).`,
      data: JSON.stringify(data),
    })
    .onConflict('id')
    .ignore();
  await emitEvent(trx, { id: uuidFromName(`event:${input.eventKey}`), tenantId: input.tenantId, type: 'webhook.endpoint.disabled', data });
  await appendAudit(trx, {
    tenantId: input.tenantId,
    actor: { type: 'system' },
    action: 'webhook.disabled',
    target: { type: 'webhook', id: input.endpoint.id },
    details: { reason: input.reason, detail: input.detail },
    eventKey: input.eventKey,
  });
}

/**
 * Tells the tenant that an endpoint's circuit breaker opened (most recent attempts failed): a
 * `webhook.endpoint.failing` event for its other endpoints and an audit row. Its deliveries wait
 * and are probed again after WEBHOOK_BREAKER_COOLDOWN; nothing is disabled. Idempotent on `eventKey`.
 */
export async function reportEndpointFailing(
  trx: TenantTransaction,
  input: { tenantId: string; endpoint: Pick<WebhookEndpointRow, 'id' | 'url'>; failureRatio: number; windowMs: number; retryInMs: number; eventKey: string },
): Promise<void> {
  const data = {
    endpointId: input.endpoint.id,
    url: input.endpoint.url,
    failureRatio: Math.round(input.failureRatio * 100) / 100,
    windowSeconds: Math.round(input.windowMs / 1000),
    retryInSeconds: Math.round(input.retryInMs / 1000),
  };
  await emitEvent(trx, { id: uuidFromName(`event:${input.eventKey}`), tenantId: input.tenantId, type: 'webhook.endpoint.failing', data });
  await appendAudit(trx, {
    tenantId: input.tenantId,
    actor: { type: 'system' },
    action: 'webhook.failing',
    target: { type: 'webhook', id: input.endpoint.id },
    details: { failureRatio: data.failureRatio, windowSeconds: data.windowSeconds },
    eventKey: input.eventKey,
  });
}
