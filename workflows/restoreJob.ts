import { patched, proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import { RESTORE_FAILURES, type JobWorkflowInput } from './contracts';
import { runJob } from './jobs/runJob';

export interface RestoreParams {
  backupId: string;
  targetTenantSlug?: string;
  confirm?: boolean;
}

export interface RestoreResult extends Record<string, unknown> {
  backupId: string;
  targetTenantId: string;
  targetTenantSlug: string;
  inPlace: boolean;
  verified: true;
  tables: Array<{ name: string; rows: number; checksum: string }>;
}

const { restoreBackup, verifyRestore } = proxyActivities<HubActivities>({
  startToCloseTimeout: '60 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [RESTORE_FAILURES.refused, RESTORE_FAILURES.verification, RESTORE_FAILURES.slugTaken] },
});

/**
 * `restore` job (workflow id `job/<slug>/restore/<jobId>`): the backup's restorable tables in one
 * transaction (in place, or into a new tenant slug), verified (row counts and checksums against
 * the manifest) before it commits. A restore that fails verification is rolled back and fails the
 * job, saying why. Histories from before `restore-verified-in-transaction` verify afterwards.
 */
export async function restoreJob(input: JobWorkflowInput<RestoreParams>): Promise<RestoreResult> {
  return runJob(input, async (control) => {
    control.progress.phase = 'restore';
    const plan = await control.batch(() =>
      restoreBackup({
        tenantId: input.tenantId,
        jobId: input.jobId,
        backupId: input.params.backupId,
        targetTenantSlug: input.params.targetTenantSlug,
        requestedBy: input.requestedBy,
      }),
    );
    control.progress.total = plan.tables.length;
    const { sourceTenantId, targetTenantId, targetTenantSlug, inPlace } = plan;
    let verification = { tables: plan.verified };
    if (!patched('restore-verified-in-transaction')) {
      control.progress.phase = 'verify';
      verification = await verifyRestore({
        tenantId: input.tenantId,
        backupId: input.params.backupId,
        plan: { sourceTenantId, targetTenantId, targetTenantSlug, inPlace },
      });
    }
    control.progress.done = verification.tables.length;
    return { backupId: input.params.backupId, targetTenantId, targetTenantSlug, inPlace, verified: true, tables: verification.tables };
  });
}
