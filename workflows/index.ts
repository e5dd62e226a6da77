/**
 * The worker's workflowsPath: every workflow the hub runs. Code here is deterministic: no Node
 * built-ins, no I/O, activities imported as types only (enforced by eslint).
 */
export { tenantOnboarding } from './tenantOnboarding';
export { exportJob } from './exportJob';
export { userImportJob } from './userImportJob';
export { connectorTest } from './connectorTest';
export { webhookDispatcher } from './webhooks/webhookDispatcher';
export { webhookDelivery } from './webhooks/webhookDelivery';
export { webhookDrainer } from './webhooks/webhookDrainer';
export { monthlyBilling } from './monthlyBilling';
export { tenantInvoice } from './tenantInvoice';
export { stripeEvent } from './stripeEvent';
export { dunning } from './dunning';
export { connectorSync } from './connectorSync';
export { batchScanJob } from './batchScanJob';
export { backupJob } from './backupJob';
export { restoreJob } from './restoreJob';
export { scheduledBackup } from './scheduledBackup';
export { migrationJob } from './migrationJob';
export { fileExpiry } from './fileExpiry';
