import { createAuditActivities } from './audit/createAuditActivities';
import { createBillingActivities } from './billing/createBillingActivities';
import { createConnectorActivities } from './connectors/createConnectorActivities';
import { type ActivityDeps } from './deps';
import { createExportActivities } from './exports/createExportActivities';
import { createUserImportActivities } from './imports/createUserImportActivities';
import { createJobActivities } from './jobs/createJobActivities';
import { createSyncActivities } from './sync/createSyncActivities';
import { createTenantActivities } from './tenants/createTenantActivities';
import { createWebhookActivities } from './webhooks/createWebhookActivities';
import { createBatchScanActivities } from './scans/createBatchScanActivities';
import { createBackupActivities } from './backups/createBackupActivities';
import { createRestoreActivities } from './backups/createRestoreActivities';
import { createBackupScheduleActivities } from './backups/createBackupScheduleActivities';
import { createMigrationActivities } from './migrations/createMigrationActivities';
import { createFileExpiryActivities } from './files/createFileExpiryActivities';

/**
 * Every activity the worker registers, built from the process's dependencies. Workflows import
 * only the type {@link HubActivities}.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createTenantActivities(deps),
    ...createAuditActivities(deps),
    ...createJobActivities(deps),
    ...createExportActivities(deps),
    ...createUserImportActivities(deps),
    ...createConnectorActivities(deps),
    ...createWebhookActivities(deps),
    ...createBillingActivities(deps),
    ...createSyncActivities(deps),
    ...createBatchScanActivities(deps),
    ...createBackupActivities(deps),
    ...createRestoreActivities(deps),
    ...createBackupScheduleActivities(deps),
    ...createMigrationActivities(deps),
    ...createFileExpiryActivities(deps),
  };
}

export type HubActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
