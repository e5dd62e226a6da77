/**
 * The hub's workflow type names, as the worker registers them (the exports of workflows/index.ts;
 * a unit test keeps the two equal). Starts, schedules and child workflows name a workflow through
 * this map, typed by the workflow function: `client.workflow.start<typeof monthlyBilling>(WORKFLOW_TYPES.monthlyBilling, …)`.
 * Renaming one breaks every running execution and recorded history of that type.
 */
export const WORKFLOW_TYPES = {
  tenantOnboarding: 'tenantOnboarding',
  exportJob: 'exportJob',
  userImportJob: 'userImportJob',
  connectorTest: 'connectorTest',
  webhookDispatcher: 'webhookDispatcher',
  webhookDelivery: 'webhookDelivery',
  webhookDrainer: 'webhookDrainer',
  monthlyBilling: 'monthlyBilling',
  tenantInvoice: 'tenantInvoice',
  stripeEvent: 'stripeEvent',
  dunning: 'dunning',
  connectorSync: 'connectorSync',
  batchScanJob: 'batchScanJob',
  backupJob: 'backupJob',
  restoreJob: 'restoreJob',
  scheduledBackup: 'scheduledBackup',
  migrationJob: 'migrationJob',
  fileExpiry: 'fileExpiry',
} as const;

export type WorkflowTypeName = (typeof WORKFLOW_TYPES)[keyof typeof WORKFLOW_TYPES];
