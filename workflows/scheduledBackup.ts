import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import { type ScheduledBackupInput } from './contracts';
import { backupJob, type BackupResult } from './backupJob';

const { openScheduledBackupJob } = proxyActivities<HubActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 10 } });

/**
 * What the daily backup schedule starts (`backup/<slug>/scheduled-<time>`): records the run's
 * `backup` job, then runs it like an API-started one. Skipped (no job) when the tenant is gone,
 * suspended or has daily backups off.
 */
export async function scheduledBackup(input: ScheduledBackupInput): Promise<BackupResult | { skipped: true }> {
  const { workflowId, runId } = workflowInfo();
  const job = await openScheduledBackupJob({ ...input, workflowId, runId });
  if (!job) return { skipped: true };
  return backupJob({
    jobId: job.jobId,
    tenantId: input.tenantId,
    tenantSlug: input.tenantSlug,
    kind: 'backup',
    params: {},
    requestedBy: 'schedule',
    trigger: 'schedule',
  });
}
