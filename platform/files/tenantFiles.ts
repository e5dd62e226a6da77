import { type Readable } from 'node:stream';
import { type Database } from '../db';
import { fileKey } from './createFileStore';
import { type FileStore, ObjectTooLargeError } from './fileStore';
import { lockStorageUsage, StorageQuotaExceededError, storageUsage } from './storageQuota';

/** What a file is for: a job input the tenant uploaded, or something a job produced. */
export type FilePurpose = 'upload' | 'job_output';

/** A catalogued tenant file (a `files` row); the bytes are in the file store under `storageKey`. */
export interface TenantFile {
  id: string;
  tenantId: string;
  purpose: FilePurpose;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  jobId: string | null;
  createdBy: string | null;
  createdAt: Date;
  /** When the expiry schedule deletes it (null: its owner does, e.g. a backup's retention). */
  expiresAt: Date | null;
}

interface FileRow {
  id: string;
  tenant_id: string;
  purpose: FilePurpose;
  name: string;
  content_type: string;
  size: string | number;
  sha256: string;
  storage_key: string;
  job_id: string | null;
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
}

function toTenantFile(row: FileRow): TenantFile {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    purpose: row.purpose,
    name: row.name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    storageKey: row.storage_key,
    jobId: row.job_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** What {@link storeTenantFile} needs to know about a new file. */
export interface NewTenantFile {
  tenantId: string;
  /** The file's id (deterministic ids make a retried activity overwrite rather than duplicate). */
  id: string;
  purpose: FilePurpose;
  name: string;
  contentType: string;
  source: Readable | AsyncIterable<Uint8Array>;
  /** Fails with ObjectTooLargeError (nothing stored) past this size. */
  maxBytes?: number;
  jobId?: string;
  createdBy?: string;
  /**
   * The tenant's storage quota: the file is refused (StorageQuotaExceededError, nothing stored)
   * when the tenant's files with it would take more bytes. Unset: stored whatever the tenant uses
   * (outputs that must not be lost, such as error reports, still count).
   */
  quotaBytes?: number;
  /** Deleted by the expiry schedule this long after it is stored (HUB_FILE_RETENTION); unset: never by it. */
  expiresInMs?: number;
}

/**
 * Streams a file into the store, then catalogues it in `files` (tenant-scoped by RLS). Storing the
 * same id again replaces bytes and row, so activities may retry. If the row cannot be written the
 * bytes are removed: no orphan objects.
 *
 * With `quotaBytes`, the tenant's usage is read first: a tenant already at its quota is refused
 * before a byte is read, and the stream is cut where the quota would be passed. The row is then
 * written under the lock of the tenant's usage row, checking again: concurrent writers cannot
 * together pass the quota.
 */
export async function storeTenantFile(deps: { db: Database; files: FileStore }, file: NewTenantFile): Promise<TenantFile> {
  const storageKey = fileKey(file.tenantId, file.id);
  let maxBytes = file.maxBytes;
  let quotaCut = false;
  if (file.quotaBytes !== undefined) {
    const [{ usedBytes }, replaced] = await Promise.all([storageUsage(deps.db, file.tenantId), findTenantFile(deps.db, file.tenantId, file.id)]);
    const room = file.quotaBytes - usedBytes + (replaced?.size ?? 0);
    if (room <= 0) throw new StorageQuotaExceededError(file.quotaBytes, usedBytes);
    if (maxBytes === undefined || room < maxBytes) {
      maxBytes = room;
      quotaCut = true;
    }
  }
  let stored;
  try {
    stored = await deps.files.put(storageKey, file.source, maxBytes === undefined ? {} : { maxBytes });
  } catch (error) {
    if (quotaCut && error instanceof ObjectTooLargeError) throw new StorageQuotaExceededError(file.quotaBytes!, file.quotaBytes! - maxBytes!);
    throw error;
  }
  try {
    const [row] = (await deps.db.withTenant(file.tenantId, async (trx) => {
      if (file.quotaBytes !== undefined) {
        const usedBytes = await lockStorageUsage(trx, file.tenantId);
        const replaced = (await trx('files').where({ id: file.id }).whereNull('expired_at').first('size')) as { size: string } | undefined;
        if (usedBytes - Number(replaced?.size ?? 0) + stored.size > file.quotaBytes) throw new StorageQuotaExceededError(file.quotaBytes, usedBytes);
      }
      return trx('files')
        .insert({
          id: file.id,
          tenant_id: file.tenantId,
          purpose: file.purpose,
          name: file.name,
          content_type: file.contentType,
          size: stored.size,
          sha256: stored.sha256,
          storage_key: storageKey,
          job_id: file.jobId ?? null,
          created_by: file.createdBy ?? null,
          expires_at: file.expiresInMs === undefined ? null : trx.raw(`now() + make_interval(secs => ?)`, [file.expiresInMs / 1000]),
        })
        .onConflict('id')
        .merge(['name', 'content_type', 'size', 'sha256', 'expires_at'])
        .returning('*');
    })) as FileRow[];
    return toTenantFile(row!);
  } catch (error) {
    await deps.files.delete(storageKey).catch(() => undefined);
    // A refused replacement took the old bytes with it: its row must not stay counted either.
    if (error instanceof StorageQuotaExceededError) await deps.db.withTenant(file.tenantId, (trx) => trx('files').where({ id: file.id }).del());
    throw error;
  }
}

/** The tenant's file `id` (optionally only of one purpose), or undefined: RLS hides other tenants' files; an expired one has no bytes left. */
export async function findTenantFile(db: Database, tenantId: string, id: string, purpose?: FilePurpose): Promise<TenantFile | undefined> {
  const rows = await db.readAsTenant<FileRow>(
    tenantId,
    db
      .knex('files')
      .where({ tenant_id: tenantId, id, ...(purpose ? { purpose } : {}) })
      .whereNull('expired_at')
      .select('*'),
  );
  return rows[0] ? toTenantFile(rows[0]) : undefined;
}

/** Streams a catalogued file's bytes. */
export function openTenantFile(files: FileStore, file: Pick<TenantFile, 'storageKey'>): Readable {
  return files.get(file.storageKey);
}
