import { ensureBackupSchedule as upsertBackupSchedule, type ScheduledBackupInput } from '../../platform/backups/backupSchedule';
import { appendAudit } from '../../platform/audit';
import { uuidFromName } from '../../platform/ids';
import { effectiveBackupSettings } from '../../platform/tenants/backupSettings';
import { type ActivityDeps } from '../deps';

/** The daily backup schedule: created at onboarding; each scheduled run opens its own job row. */
export function createBackupScheduleActivities(deps: Pick<ActivityDeps, 'db' | 'config' | 'temporal'>) {
  const { db, config, temporal } = deps;
  return {
    /** Creates (or updates) the tenant's daily backup schedule unless HUB_DAILY_BACKUPS is off. */
    async ensureBackupSchedule(input: ScheduledBackupInput): Promise<{ schedule: 'created' | 'updated' | 'disabled' }> {
      if (!config.HUB_DAILY_BACKUPS) return { schedule: 'disabled' };
      return { schedule: await upsertBackupSchedule(temporal, config, input) };
    },

    /**
     * Records the job of a scheduled backup run (id derived from the run's workflow id, so a retry
     * records it once) with its audit row; undefined when the tenant is gone, suspended or turned
     * daily backups off.
     */
    async openScheduledBackupJob(input: ScheduledBackupInput & { workflowId: string; runId: string }): Promise<{ jobId: string } | undefined> {
      const jobId = uuidFromName(`scheduled-job:${input.workflowId}`);
      return db.withTenant(input.tenantId, async (trx) => {
        const tenant = (await trx('tenants').where({ id: input.tenantId }).first('status', 'settings')) as
          { status: string; settings: Record<string, unknown> } | undefined;
        if (!tenant || tenant.status !== 'active' || !effectiveBackupSettings(tenant.settings).daily) return undefined;
        const inserted = await trx('jobs')
          .insert({
            id: jobId,
            tenant_id: input.tenantId,
            kind: 'backup',
            status: 'queued',
            params: JSON.stringify({}),
            workflow_id: input.workflowId,
            run_id: input.runId,
            created_by: 'schedule',
          })
          .onConflict('id')
          .ignore()
          .returning('id');
        if (inserted.length > 0) {
          await appendAudit(trx, {
            tenantId: input.tenantId,
            actor: { type: 'system', id: 'schedule' },
            action: 'job.started',
            target: { type: 'job', id: jobId },
            details: { kind: 'backup', workflowId: input.workflowId, trigger: 'schedule' },
            eventKey: `${input.workflowId}/job.started`,
          });
        }
        return { jobId };
      });
    },
  };
}
