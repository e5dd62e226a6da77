import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { type HubConfig } from '../config';
import { type Logger } from '../logger';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import { workflowRouting } from '../temporal/taskQueues';

/** The schedule's id in the namespace. */
export const FILE_EXPIRY_SCHEDULE_ID = 'file-expiry';

/**
 * Creates the Temporal Schedule that starts `fileExpiry` every HUB_FILE_EXPIRY_INTERVAL, or
 * updates it to the current definition: idempotent, so every worker calls it at start. A run still
 * going when the next is due makes that one skip (the next pass finds whatever is left); a run
 * missed while Temporal was down is caught up within a day.
 */
export async function ensureFileExpirySchedule(
  client: Client,
  config: Pick<HubConfig, 'TEMPORAL_TASK_QUEUE' | 'HUB_FILE_EXPIRY_INTERVAL'>,
  logger: Logger,
  scheduleId = FILE_EXPIRY_SCHEDULE_ID,
): Promise<'created' | 'updated'> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: WORKFLOW_TYPES.fileExpiry,
    workflowId: `${scheduleId}/scheduled`,
    ...workflowRouting(config, WORKFLOW_TYPES.fileExpiry),
    args: [{}],
    staticSummary: 'Deletes expired uploads and job outputs of every tenant',
  };
  const spec = { intervals: [{ every: config.HUB_FILE_EXPIRY_INTERVAL }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, memo: { purpose: 'file expiry' } });
    logger.info({ scheduleId }, 'file expiry schedule created');
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  logger.info({ scheduleId }, 'file expiry schedule updated');
  return 'updated';
}
