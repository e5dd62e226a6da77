import { type ActivityInterceptorsFactory } from '@temporalio/worker';
import { withLogContext } from '../logContext';

/**
 * Runs every activity inside a log context naming its workflow, run, activity type and attempt,
 * and the tenant when its input says (`{ tenantId }`), so whatever the activity logs through the
 * process logger can be traced back to the run in the Temporal UI.
 */
export const activityLogContext: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const { info } = ctx;
      const tenantId = (input.args[0] as { tenantId?: unknown } | undefined)?.tenantId;
      return withLogContext(
        {
          workflowId: info.workflowExecution?.workflowId,
          runId: info.workflowExecution?.runId,
          activityType: info.activityType,
          activityId: info.activityId,
          attempt: info.attempt,
          ...(typeof tenantId === 'string' ? { tenantId } : {}),
        },
        () => next(input),
      );
    },
  },
});
