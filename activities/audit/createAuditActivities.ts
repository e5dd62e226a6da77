import { appendAudit, type AuditEntry } from '../../platform/audit';
import { type ActivityDeps } from '../deps';

/** Audit rows written by workflows (API handlers append in their own transaction instead). */
export function createAuditActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** Appends one audit row; idempotent on `entry.eventKey`, which workflows always set. */
    async appendAuditEntry(entry: AuditEntry & { eventKey: string }): Promise<void> {
      await db.withTenant(entry.tenantId, (trx) => appendAudit(trx, entry));
    },
  };
}
