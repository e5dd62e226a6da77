import { appendAudit } from '../../platform/audit';
import { type Database, type TenantTransaction } from '../../platform/db';
import { emitEvent } from '../../platform/events/emitEvent';
import { uuidFromName } from '../../platform/ids';
import { type ConnectorRef } from './connectorRef';

/** What `connector.auth_failed` carries (no secrets). */
export interface ConnectorAuthFailedEvent {
  tenantId: string;
  connectorId: string;
  connectorType: string;
  connectorName: string;
  reason: string;
  /** When the connector was paused (makes the event id idempotent per pause). */
  pausedAt: string;
}

/**
 * Pauses a connector whose credentials the system rejected (status `paused`, `paused_reason`
 * `auth_failed: …`), once: a connector already paused is left alone. Runs in its own transaction.
 */
export async function pauseConnectorForAuthFailure(db: Database, ref: ConnectorRef, reason: string): Promise<void> {
  await db.withTenant(ref.tenantId, async (trx) => {
    const paused = await trx('connectors')
      .where({ id: ref.connectorId, tenant_id: ref.tenantId, status: 'active' })
      .update({ status: 'paused', paused_reason: `auth_failed: ${reason}`.slice(0, 500), paused_at: trx.fn.now(), updated_at: trx.fn.now() })
      .returning(['type', 'name', 'paused_at']);
    const row = paused[0] as { type: string; name: string; paused_at: Date } | undefined;
    if (!row) return;
    await appendAudit(trx, {
      tenantId: ref.tenantId,
      actor: { type: 'system', id: 'connector-runtime' },
      action: 'connector.paused',
      target: { type: 'connector', id: ref.connectorId },
      details: { reason: 'auth_failed' },
    });
    await onConnectorAuthFailed(trx, {
      tenantId: ref.tenantId,
      connectorId: ref.connectorId,
      connectorType: row.type,
      connectorName: row.name,
      reason: reason.slice(0, 500),
      pausedAt: row.paused_at.toISOString(),
    });
  });
}

/**
 * Emits `connector.auth_failed` to the event outbox (webhook delivery picks it up) and records it in
 * the audit log. Called inside the transaction that paused the connector, so the event commits with
 * the pause; its id derives from the connector and the pause time.
 */
export async function onConnectorAuthFailed(trx: TenantTransaction, event: ConnectorAuthFailedEvent): Promise<void> {
  await emitEvent(trx, {
    id: uuidFromName(`connector-auth-failed:${event.connectorId}:${event.pausedAt}`),
    tenantId: event.tenantId,
    type: 'connector.auth_failed',
    data: { connectorId: event.connectorId, connectorType: event.connectorType, connectorName: event.connectorName, reason: event.reason },
  });
  await appendAudit(trx, {
    tenantId: event.tenantId,
    actor: { type: 'system', id: 'connector-runtime' },
    action: 'connector.auth_failed',
    target: { type: 'connector', id: event.connectorId },
    details: { connectorType: event.connectorType, connectorName: event.connectorName, reason: event.reason },
  });
}
