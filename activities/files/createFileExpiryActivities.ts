import { Context } from '@temporalio/activity';
import { appendAudit } from '../../platform/audit';
import { type ActivityDeps } from '../deps';

/** What one expiry pass removed. */
export interface FileExpiryCounts {
  /** Uploads deleted (bytes and row). */
  uploads: number;
  /** Job outputs expired (bytes deleted; the row stays, marked, so a download answers 410). */
  outputs: number;
  /** Bytes freed from the tenants' storage quotas. */
  bytes: number;
}

/** Files handled per transaction. */
const BATCH = 500;

/** Job statuses in which a job may still read its upload. */
const ACTIVE_JOB_STATUSES = ['queued', 'running', 'paused'];

interface ExpiredFile {
  id: string;
  purpose: 'upload' | 'job_output';
  size: string;
  storage_key: string;
}

/**
 * Expiry of uploads and job outputs (`files.expires_at`, set from HUB_FILE_RETENTION when a file
 * is stored). The bytes go first, then the catalogue: a pass that dies in between leaves rows that
 * the next pass finds again (deleting a missing object is a no-op). An upload an active job still
 * reads is kept until that job ends.
 */
export function createFileExpiryActivities({ db, files }: Pick<ActivityDeps, 'db' | 'files'>) {
  async function expireOneTenant(tenantId: string, counts: FileExpiryCounts): Promise<void> {
    for (;;) {
      const batch = (await db.withTenant(tenantId, (trx) =>
        trx('files')
          .where({ tenant_id: tenantId })
          .whereNull('expired_at')
          .where('expires_at', '<=', trx.fn.now())
          .whereNotExists((active) =>
            active
              .from('jobs')
              .whereRaw('jobs.tenant_id = files.tenant_id')
              .whereIn('jobs.status', ACTIVE_JOB_STATUSES)
              .whereRaw(`jobs.params->>'uploadId' = files.id::text`),
          )
          .orderBy('expires_at')
          .limit(BATCH)
          .select('id', 'purpose', 'size', 'storage_key'),
      )) as ExpiredFile[];
      if (batch.length === 0) return;
      for (const file of batch) await files.delete(file.storage_key);
      const uploads = batch.filter((file) => file.purpose === 'upload');
      const outputs = batch.filter((file) => file.purpose !== 'upload');
      const bytes = batch.reduce((sum, file) => sum + Number(file.size), 0);
      await db.withTenant(tenantId, async (trx) => {
        if (uploads.length > 0)
          await trx('files')
            .whereIn(
              'id',
              uploads.map((file) => file.id),
            )
            .del();
        if (outputs.length > 0)
          await trx('files')
            .whereIn(
              'id',
              outputs.map((file) => file.id),
            )
            .update({ expired_at: trx.fn.now() });
        await appendAudit(trx, {
          tenantId,
          actor: { type: 'system', id: 'file-expiry' },
          action: 'files.expired',
          details: { uploads: uploads.length, outputs: outputs.length, bytes, fileIds: batch.map((file) => file.id) },
        });
      });
      counts.uploads += uploads.length;
      counts.outputs += outputs.length;
      counts.bytes += bytes;
      Context.current().heartbeat({ tenantId, ...counts });
      if (batch.length < BATCH) return;
    }
  }

  return {
    /** The next page of tenants by id (every tenant, suspended ones too: their files expire all the same). */
    async listFileExpiryTenants(input: { afterId: string | null; limit: number }): Promise<string[]> {
      const rows = (await db.withPlatform((trx) =>
        trx('tenants')
          .modify((query) => (input.afterId ? query.where('id', '>', input.afterId) : query))
          .orderBy('id')
          .limit(input.limit)
          .select('id'),
      )) as Array<{ id: string }>;
      return rows.map((row) => row.id);
    },

    /** Deletes the expired uploads and expires the expired job outputs of these tenants. */
    async expireTenantFiles(input: { tenantIds: string[] }): Promise<FileExpiryCounts> {
      const counts: FileExpiryCounts = { uploads: 0, outputs: 0, bytes: 0 };
      for (const tenantId of input.tenantIds) await expireOneTenant(tenantId, counts);
      return counts;
    },
  };
}
