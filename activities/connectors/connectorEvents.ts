import { appendAudit } from '../../platform/audit';
import { type Database, type TenantTransaction } from '../../platform/db';
import { type ConnectorRef } from './connectorRuntime';

/** What `connector.auth_failed` carries (no secrets). */
export interface ConnectorAuthFailedEvent {
  tenantId: string;
  connectorId: string;
  connectorType: string;
  connectorName: string;
  reason: string;
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
      .returning(['type', 'name']);
    const row = paused[0] as { type: string; name: string } | undefined;
    if (!row) return;
    await appendAudit(trx, {
      tenantId: ref.tenantId,
      actor: { type: 'system', id: 'connector-runtime' },
      action: 'connector.paused',
      target: { type: 'connector', id: ref.connectorId },
      details: { reason: 'auth_failed' },
    });
    await onConnectorAuthFailed(trx, { tenantId: ref.tenantId, connectorId: ref.connectorId, connectorType: row.type, connectorName: row.name, reason: reason.slice(0, 500) });
  });
}

/**
 * HOOK for the webhooks issue: emit the `connector.auth_failed` event. Called inside the
 * transaction that paused the connector, so an outbox row inserted here commits with the pause.
 * Until outbound webhooks exist it records the event in the audit log only.
 */
export async function onConnectorAuthFailed(trx: TenantTransaction, event: ConnectorAuthFailedEvent): Promise<void> {
  await appendAudit(trx, {
    tenantId: event.tenantId,
    actor: { type: 'system', id: 'connector-runtime' },
    action: 'connector.auth_failed',
    target: { type: 'connector', id: event.connectorId },
    details: { connectorType: event.connectorType, connectorName: event.connectorName, reason: event.reason },
  });
}
