import { planOf } from '../../platform/billing/catalogue';
import { type Database } from '../../platform/db';
import { refuseWhenStorageFull, STORAGE_QUOTA_EXCEEDED, StorageQuotaExceededError } from '../../platform/files/storageQuota';
import { type TenantPrincipal } from '../auth/principal';
import { ApiError } from '../errors';

/** The 413 answer of a refusal for storage: the same code and shape for uploads and jobs. */
export function storageQuotaApiError(error: StorageQuotaExceededError, what: string): ApiError {
  return new ApiError(
    413,
    STORAGE_QUOTA_EXCEEDED,
    `${what} would exceed the storage quota of your plan (${error.quotaBytes} bytes, ${error.usedBytes} in use); uploads and job outputs are deleted when they expire`,
  );
}

/**
 * Refuses (413 STORAGE_QUOTA_EXCEEDED) to start work whose output is a new file when the tenant's
 * files already take its whole quota. Work that fits at start may still fail later if its output
 * outgrows what is left (the export's own checks).
 */
export async function refuseJobWhenStorageFull(db: Database, principal: TenantPrincipal, kind: string): Promise<void> {
  try {
    await refuseWhenStorageFull(db, principal.tenantId, planOf(principal.plan).storageBytes);
  } catch (error) {
    if (error instanceof StorageQuotaExceededError) throw storageQuotaApiError(error, `A new ${kind} job's output`);
    throw error;
  }
}
