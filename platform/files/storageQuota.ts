import { planOf, type PlanId } from '../billing/catalogue';
import { type Database, type TenantTransaction } from '../db';

/** What a tenant stores now: bytes and files that have not expired (`storage_usage`, kept by triggers on `files`). */
export interface StorageUsage {
  usedBytes: number;
  files: number;
}

/**
 * Thrown when storing a file would take the tenant past its plan's storage quota. Nothing of the
 * file is left behind (neither bytes nor catalogue row) when it is thrown.
 */
export class StorageQuotaExceededError extends Error {
  constructor(
    readonly quotaBytes: number,
    readonly usedBytes: number,
  ) {
    super(`the tenant's files would exceed its storage quota of ${quotaBytes} bytes (${usedBytes} bytes are in use; expired files are removed automatically)`);
    this.name = 'StorageQuotaExceededError';
  }
}

/** The error type (and API code) of a refusal for storage: activities fail with it, the API answers 413 with it. */
export const STORAGE_QUOTA_EXCEEDED = 'STORAGE_QUOTA_EXCEEDED';

/** The tenant's storage usage (0 before it stored anything). */
export async function storageUsage(db: Database, tenantId: string): Promise<StorageUsage> {
  const [row] = await db.readAsTenant<{ bytes: string; files: number }>(
    tenantId,
    db.knex('storage_usage').where({ tenant_id: tenantId }).select('bytes', 'files'),
  );
  return { usedBytes: Number(row?.bytes ?? 0), files: row?.files ?? 0 };
}

/**
 * Locks the tenant's usage row for the rest of the transaction and answers the bytes in use:
 * writers of the catalogue that check the quota serialise here, so two of them cannot both take the
 * last bytes.
 */
export async function lockStorageUsage(trx: TenantTransaction, tenantId: string): Promise<number> {
  await trx('storage_usage').insert({ tenant_id: tenantId, bytes: 0, files: 0 }).onConflict('tenant_id').ignore();
  const row = (await trx('storage_usage').where({ tenant_id: tenantId }).forUpdate().first('bytes')) as { bytes: string };
  return Number(row.bytes);
}

/** The tenant's storage quota in bytes (its plan's). */
export async function storageQuotaOf(db: Database, tenantId: string): Promise<number> {
  const [tenant] = await db.readAsTenant<{ plan: PlanId }>(tenantId, db.knex('tenants').where({ id: tenantId }).select('plan'));
  if (!tenant) throw new Error(`no tenant ${tenantId}`);
  return planOf(tenant.plan).storageBytes;
}

/** Refuses (StorageQuotaExceededError) when the tenant already uses all of its quota: work that would only add files need not start. */
export async function refuseWhenStorageFull(db: Database, tenantId: string, quotaBytes: number): Promise<StorageUsage> {
  const usage = await storageUsage(db, tenantId);
  if (usage.usedBytes >= quotaBytes) throw new StorageQuotaExceededError(quotaBytes, usage.usedBytes);
  return usage;
}
