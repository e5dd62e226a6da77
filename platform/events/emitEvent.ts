import { randomUUID } from 'node:crypto';
import { type TenantTransaction } from '../db';

/** Event types tenants can subscribe to (API.md "Usage, billing, webhooks"). */
export const EVENT_TYPES = [
  'sync.completed',
  'sync.failed',
  'job.completed',
  'job.failed',
  'connector.auth_failed',
  'invoice.created',
  'invoice.paid',
  'invoice.payment_failed',
  'webhook.endpoint.disabled',
  'webhook.endpoint.failing',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface HubEvent {
  /** Stable id: becomes the `webhook-id` of every delivery of this event. */
  id: string;
  tenantId: string;
  type: EventType;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * Writes an event to the outbox inside the caller's transaction, so it exists if and only if the
 * change it reports committed. Pass `id` to make the emission idempotent (a retried activity
 * derives it from its workflow id and step): a second insert with the same id is ignored.
 */
export async function emitEvent(
  trx: TenantTransaction,
  event: { tenantId: string; type: EventType; data: Record<string, unknown>; id?: string },
): Promise<string> {
  const id = event.id ?? randomUUID();
  await trx('events')
    .insert({ id, tenant_id: event.tenantId, type: event.type, data: JSON.stringify(event.data) })
    .onConflict('id')
    .ignore();
  return id;
}
