import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { type HubConfig } from '../config';
import { type Logger } from '../logger';
import { searchAttributePairs } from '../temporal/searchAttributes';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import { workflowRouting } from '../temporal/taskQueues';

/** The schedule's id in the namespace. */
export const BILLING_SCHEDULE_ID = 'billing-monthly';

/**
 * When monthly billing runs: the 1st of every month at 00:15 UTC. The quarter hour lets the
 * API's buffered usage of the month's last seconds reach Postgres before the rollups are read.
 */
export const BILLING_CALENDAR = { dayOfMonth: 1, hour: 0, minute: 15 } as const;

/**
 * Creates the Temporal Schedule that starts `monthlyBilling` (which bills the month before its
 * scheduled time), or updates it to the current definition: idempotent, so every worker calls it
 * at start. A run missed while Temporal was down is caught up within a week; a run still going
 * when the next one is due makes the next one wait (buffer one).
 */
export async function ensureBillingSchedule(
  client: Client,
  config: Pick<HubConfig, 'TEMPORAL_TASK_QUEUE' | 'BILLING_CONCURRENCY'>,
  logger: Logger,
  scheduleId = BILLING_SCHEDULE_ID,
): Promise<'created' | 'updated'> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: WORKFLOW_TYPES.monthlyBilling,
    workflowId: 'billing/scheduled',
    ...workflowRouting(config, WORKFLOW_TYPES.monthlyBilling),
    args: [{ concurrency: config.BILLING_CONCURRENCY }],
    typedSearchAttributes: searchAttributePairs({ JobKind: 'billing' }),
    staticSummary: 'Monthly billing of every active tenant (the previous month)',
  };
  const spec = {
    calendars: [
      { dayOfMonth: BILLING_CALENDAR.dayOfMonth, hour: BILLING_CALENDAR.hour, minute: BILLING_CALENDAR.minute, comment: 'the 1st of each month, UTC' },
    ],
    timezone: 'UTC',
  };
  const policies = { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '7 days' };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, memo: { purpose: 'monthly billing' } });
    logger.info({ scheduleId }, 'billing schedule created');
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  logger.info({ scheduleId }, 'billing schedule updated');
  return 'updated';
}
