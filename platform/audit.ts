import { type TenantTransaction } from './db';

/** Who did something. */
export interface AuditActor {
  type: 'api_key' | 'user' | 'platform_admin' | 'system';
  id?: string;
  role?: string;
  ip?: string;
  requestId?: string;
}

/** One audit row: who did what to which target. No secrets and no PHI bodies go in `details`. */
export interface AuditEntry {
  tenantId: string;
  actor: AuditActor;
  /** Dotted verb, e.g. `tenant.created`, `api_key.revoked`. */
  action: string;
  target?: { type: string; id: string };
  details?: Record<string, unknown>;
  /**
   * Idempotency key: a retried activity or request with the same key appends nothing new.
   * Workflows derive it from the workflow id and step.
   */
  eventKey?: string;
}

/**
 * Appends to the tenant's hash-chained audit log inside the caller's transaction, so the audit row
 * commits or rolls back with the change it records. The database trigger assigns `seq`,
 * `prev_hash` and `hash`.
 */
export async function appendAudit(trx: TenantTransaction, entry: AuditEntry): Promise<void> {
  const row = {
    tenant_id: entry.tenantId,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id ?? null,
    actor_role: entry.actor.role ?? null,
    ip: entry.actor.ip ?? null,
    request_id: entry.actor.requestId ?? null,
    action: entry.action,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    details: JSON.stringify(entry.details ?? {}),
    event_key: entry.eventKey ?? null,
    // Placeholders: the chain trigger overwrites both before the row is stored.
    prev_hash: '',
    hash: '',
    seq: 0,
  };
  if (entry.eventKey) {
    await trx.raw(`? on conflict (tenant_id, event_key) where event_key is not null do nothing`, [trx('audit_log').insert(row)]);
  } else {
    await trx('audit_log').insert(row);
  }
}
