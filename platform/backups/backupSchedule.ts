import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { type HubConfig } from '../config';
import { searchAttributePairs } from '../temporal/searchAttributes';
import { workflowIds } from '../temporal/workflowIds';
import { type ScheduledBackupInput, WORKFLOW_TYPES } from '../../workflows/contracts';
import { workflowRouting } from '../temporal/taskQueues';

export type { ScheduledBackupInput };

/**
 * The daily time of a tenant's backup: between 01:00 and 04:59 UTC, spread by a hash of the
 * tenant id so that tenants do not all back up in the same minute.
 */
export function backupTimeOf(tenantId: string): { hour: number; minute: number } {
  const digest = createHash('sha256').update(tenantId).digest();
  return { hour: 1 + (digest[0]! % 4), minute: digest[1]! % 60 };
}

/**
 * Creates the tenant's daily backup schedule (`backup-schedule/<slug>`), or brings it up to date:
 * idempotent. Overlapping runs are skipped; a run missed while Temporal was down is caught up
 * within 6 hours.
 */
export async function ensureBackupSchedule(
  client: Client,
  config: Pick<HubConfig, 'TEMPORAL_TASK_QUEUE'>,
  tenant: ScheduledBackupInput,
): Promise<'created' | 'updated'> {
  const scheduleId = workflowIds.backupSchedule(tenant.tenantSlug);
  const { hour, minute } = backupTimeOf(tenant.tenantId);
  const typedSearchAttributes = searchAttributePairs({ TenantId: tenant.tenantId, TenantSlug: tenant.tenantSlug, JobKind: 'backup' });
  const spec = { calendars: [{ hour, minute, comment: 'daily, UTC' }], timezone: 'UTC' };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: WORKFLOW_TYPES.scheduledBackup,
    workflowId: workflowIds.scheduledBackup(tenant.tenantSlug),
    ...workflowRouting(config, WORKFLOW_TYPES.scheduledBackup, tenant.tenantId),
    args: [tenant],
    typedSearchAttributes,
    staticSummary: `Daily backup of ${tenant.tenantSlug}`,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, typedSearchAttributes, memo: { purpose: 'daily backup' } });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  return 'updated';
}
