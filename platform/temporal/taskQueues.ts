import { type Priority } from '@temporalio/common';
import { type HubConfig } from '../config';
import { WORKFLOW_TYPES, type WorkflowTypeName } from '../../workflows/contracts/workflowTypes';
import { WORK_KINDS, type WorkKind } from './workKinds';

export { WORK_KINDS, type WorkKind };

/** Which kind of work each workflow type is (a unit test keeps every type mapped). */
export const WORK_KIND_OF_WORKFLOW: Record<WorkflowTypeName, WorkKind> = {
  [WORKFLOW_TYPES.tenantOnboarding]: 'general',
  [WORKFLOW_TYPES.connectorTest]: 'general',
  [WORKFLOW_TYPES.fileExpiry]: 'general',
  [WORKFLOW_TYPES.connectorSync]: 'sync',
  [WORKFLOW_TYPES.exportJob]: 'bulk',
  [WORKFLOW_TYPES.userImportJob]: 'bulk',
  [WORKFLOW_TYPES.batchScanJob]: 'bulk',
  [WORKFLOW_TYPES.backupJob]: 'bulk',
  [WORKFLOW_TYPES.restoreJob]: 'bulk',
  [WORKFLOW_TYPES.scheduledBackup]: 'bulk',
  [WORKFLOW_TYPES.migrationJob]: 'bulk',
  [WORKFLOW_TYPES.webhookDispatcher]: 'webhooks',
  [WORKFLOW_TYPES.webhookDelivery]: 'webhooks',
  [WORKFLOW_TYPES.webhookDrainer]: 'webhooks',
  [WORKFLOW_TYPES.monthlyBilling]: 'billing',
  [WORKFLOW_TYPES.tenantInvoice]: 'billing',
  [WORKFLOW_TYPES.stripeEvent]: 'billing',
  [WORKFLOW_TYPES.dunning]: 'billing',
};

type QueueSettings = Pick<HubConfig, 'TEMPORAL_TASK_QUEUE'>;

/**
 * The task queue of a kind of work: `$TEMPORAL_TASK_QUEUE` itself for `general` (so anything
 * started on the one queue of earlier versions is still polled), `$TEMPORAL_TASK_QUEUE-<kind>`
 * for the others (`hub-sync`, `hub-bulk`, `hub-webhooks`, `hub-billing` by default).
 */
export function taskQueueOf(config: QueueSettings, kind: WorkKind): string {
  return kind === 'general' ? config.TEMPORAL_TASK_QUEUE : `${config.TEMPORAL_TASK_QUEUE}-${kind}`;
}

/** The task queue a workflow type is started on. */
export function taskQueueOfWorkflow(config: QueueSettings, workflowType: WorkflowTypeName): string {
  return taskQueueOf(config, WORK_KIND_OF_WORKFLOW[workflowType]);
}

/** The kinds this worker process polls (`$WORKER_TASK_QUEUES`: `all`, or a comma-separated subset). */
export function polledWorkKinds(config: Pick<HubConfig, 'WORKER_TASK_QUEUES'>): readonly WorkKind[] {
  return config.WORKER_TASK_QUEUES === 'all' ? WORK_KINDS : config.WORKER_TASK_QUEUES;
}

/**
 * Task-queue fairness per tenant: Temporal dispatches the backlog of a queue round-robin across
 * fairness keys (weighted), so one tenant's fifty queued syncs do not keep another tenant's one
 * sync waiting behind them. The key is the tenant id (36 bytes; Temporal allows 64). Activities and
 * child workflows inherit their workflow's priority. A server without fairness enabled ignores it.
 */
export function tenantPriority(tenantId: string): Priority {
  return { fairnessKey: tenantId };
}

/**
 * What every workflow start (and schedule action) of the hub passes Temporal besides its input:
 * the task queue of the workflow's kind, and the tenant's fairness key when the work is a tenant's.
 */
export function workflowRouting(config: QueueSettings, workflowType: WorkflowTypeName, tenantId?: string): { taskQueue: string; priority?: Priority } {
  const taskQueue = taskQueueOfWorkflow(config, workflowType);
  return tenantId === undefined ? { taskQueue } : { taskQueue, priority: tenantPriority(tenantId) };
}
