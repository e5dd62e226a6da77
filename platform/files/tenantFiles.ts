import { type Readable } from 'node:stream';
import { type Database } from '../db';
import { fileKey } from './createFileStore';
import { type FileStore } from './fileStore';

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
}

/**
 * Streams a file into the store, then catalogues it in `files` (tenant-scoped by RLS). Storing the
 * same id again replaces bytes and row, so activities may retry. If the row cannot be written the
 * bytes are removed: no orphan objects.
 */
export async function storeTenantFile(deps: { db: Database; files: FileStore }, file: NewTenantFile): Promise<TenantFile> {
  const storageKey = fileKey(file.tenantId, file.id);
  const stored = await deps.files.put(storageKey, file.source, file.maxBytes === undefined ? {} : { maxBytes: file.maxBytes });
  try {
    const [row] = (await deps.db.withTenant(file.tenantId, (trx) =>
      trx('files')
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
        })
        .onConflict('id')
        .merge(['name', 'content_type', 'size', 'sha256'])
        .returning('*'),
    )) as FileRow[];
    return toTenantFile(row!);
  } catch (error) {
    await deps.files.delete(storageKey).catch(() => undefined);
    throw error;
  }
}

/** The tenant's file `id` (optionally only of one purpose), or undefined: RLS hides other tenants' files. */
export async function findTenantFile(db: Database, tenantId: string, id: string, purpose?: FilePurpose): Promise<TenantFile | undefined> {
  const rows = await db.readAsTenant<FileRow>(
    tenantId,
    db
      .knex('files')
      .where({ tenant_id: tenantId, id, ...(purpose ? { purpose } : {}) })
      .select('*'),
  );
  return rows[0] ? toTenantFile(rows[0]) : undefined;
}

/** Streams a catalogued file's bytes. */
export function openTenantFile(files: FileStore, file: Pick<TenantFile, 'storageKey'>): Readable {
  return files.get(file.storageKey);
}
