import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { fileKey } from '../../platform/files/createFileStore';
import { storeTenantFile } from '../../platform/files/tenantFiles';
import { effectiveBackupSettings } from '../../platform/tenants/backupSettings';
import { type ActivityDeps } from '../deps';
import { backupTableName, type BackupManifest, type BackupTableEntry } from './backupManifest';
import { type PageReader, pagesIn, pagesInOwnTransactions, TableChecksum, tableRows } from './tableRows';
import { RESTORE_RULES, type TenantTable, tenantTables } from './tenantTables';
import { BACKUP_FAILED } from '../../workflows/contracts';

/** The canonical text of a row for checksums: sealed secret columns left out. */
export function canonicalRow(row: Record<string, unknown>, table: string): string {
  const rule = RESTORE_RULES[table];
  if (rule?.restore && rule.sealed) {
    for (const sealed of rule.sealed) {
      delete row[sealed.ciphertext];
      delete row[sealed.keyId];
    }
  }
  return JSON.stringify(row);
}

/**
 * Logical backups of one tenant: every table with a `tenant_id` (read from the catalogue) as a
 * gzip NDJSON file of its rows (`to_jsonb`, primary-key order) with row count, content checksum
 * and file SHA-256 in a manifest. Secrets stay vault ciphertext. Every table is read in one
 * snapshot (backupTables; retries rewrite the same files).
 */
export function createBackupActivities(deps: Pick<ActivityDeps, 'db' | 'files' | 'logger'>) {
  const { db, files } = deps;

  /** Writes one table's gzip NDJSON file from the pages `pages` reads; answers its manifest entry. */
  async function writeTableFile(pages: PageReader, input: { tenantId: string; backupId: string }, table: TenantTable): Promise<BackupTableEntry> {
    const checksum = new TableChecksum();
    const key = fileKey(input.tenantId, backupTableName(input.backupId, table.name));
    async function* ndjson(): AsyncGenerator<Buffer> {
      for await (const page of tableRows(pages, input.tenantId, table)) {
        for (const line of page) checksum.add(canonicalRow(JSON.parse(line) as Record<string, unknown>, table.name));
        Context.current().heartbeat({ table: table.name, rows: checksum.rows });
        yield Buffer.from(`${page.join('\n')}\n`, 'utf8');
      }
    }
    const gzip = createGzip();
    // pipeline destroys the gzip stream when reading fails, which fails the put.
    pipeline(Readable.from(ndjson()), gzip).catch(() => undefined);
    const stored = await files.put(key, gzip);
    return {
      name: table.name,
      columns: table.columns,
      primaryKey: table.primaryKey,
      rows: checksum.rows,
      contentChecksum: checksum.digest(),
      file: { key, size: stored.size, sha256: stored.sha256 },
    };
  }

  return {
    /** The tenant tables in foreign-key order. */
    async listBackupTables(input: { tenantId: string }): Promise<string[]> {
      return (await db.withTenant(input.tenantId, (trx) => tenantTables(trx))).map((table) => table.name);
    },

    /**
     * Before backups read one snapshot: one table in its own transactions (kept for workflows
     * started by the release before, which replay it).
     */
    async backupTable(input: { tenantId: string; backupId: string; table: string }): Promise<BackupTableEntry> {
      const table = (await db.withTenant(input.tenantId, (trx) => tenantTables(trx))).find((candidate) => candidate.name === input.table);
      if (!table) throw ApplicationFailure.nonRetryable(`no tenant table ${input.table}`, BACKUP_FAILED);
      return writeTableFile(pagesInOwnTransactions(db, input.tenantId), input, table);
    },

    /**
     * Every tenant table in one read-only REPEATABLE READ transaction, streamed to the file store
     * table after table: the tables of a backup agree with one another (a row and the rows it
     * references are both in it or both not), whatever the tenant writes meanwhile. A retry reads
     * a new snapshot and rewrites every file.
     */
    async backupTables(input: { tenantId: string; backupId: string }): Promise<BackupTableEntry[]> {
      return db.withTenantSnapshot(input.tenantId, async (trx) => {
        const entries: BackupTableEntry[] = [];
        for (const table of await tenantTables(trx)) entries.push(await writeTableFile(pagesIn(trx), input, table));
        return entries;
      });
    },

    /** Writes the manifest (the job's downloadable output) and catalogues the backup with its expiry. */
    async writeBackupManifest(input: {
      tenantId: string;
      tenantSlug: string;
      backupId: string;
      jobId: string;
      trigger: 'api' | 'schedule';
      tables: BackupTableEntry[];
      requestedBy: string;
    }): Promise<{
      backupId: string;
      sha256: string;
      rowCounts: Record<string, number>;
      file: { id: string; name: string; size: number; sha256: string; contentType: string };
    }> {
      const { existing, tenant } = await db.withTenant(input.tenantId, async (trx) => ({
        existing: (await trx('backups').where({ id: input.backupId }).first('manifest')) as { manifest: BackupManifest } | undefined,
        tenant: (await trx('tenants').where({ id: input.tenantId }).first('name', 'plan', 'settings', 'branding')) as NonNullable<BackupManifest['tenant']>,
      }));
      const manifest: BackupManifest = existing?.manifest ?? {
        version: 1,
        backupId: input.backupId,
        tenantId: input.tenantId,
        tenantSlug: input.tenantSlug,
        createdAt: new Date().toISOString(),
        trigger: input.trigger,
        tenant,
        tables: input.tables,
      };
      const text = JSON.stringify(manifest, null, 2);
      const sha256 = createHash('sha256').update(text).digest('hex');
      const name = `backup-${input.tenantSlug}-${manifest.createdAt.slice(0, 10)}-${input.backupId.slice(0, 8)}.json`;
      const stored = await storeTenantFile(
        { db, files },
        {
          tenantId: input.tenantId,
          id: input.backupId,
          purpose: 'job_output',
          name,
          contentType: 'application/json',
          source: Readable.from([Buffer.from(text)]),
          jobId: input.jobId,
          createdBy: input.requestedBy,
        },
      );
      await db.withTenant(input.tenantId, async (trx) => {
        const tenant = (await trx('tenants').where({ id: input.tenantId }).first('plan', 'settings')) as { plan: string; settings: Record<string, unknown> };
        const { retentionDays } = effectiveBackupSettings(tenant.settings);
        await trx('backups')
          .insert({
            id: input.backupId,
            tenant_id: input.tenantId,
            job_id: input.jobId,
            trigger: input.trigger,
            manifest: JSON.stringify(manifest),
            sha256,
            expires_at: trx.raw(`now() + make_interval(days => ?)`, [retentionDays]),
          })
          .onConflict('id')
          .ignore();
      });
      return {
        backupId: input.backupId,
        sha256,
        rowCounts: Object.fromEntries(manifest.tables.map((table) => [table.name, table.rows])),
        file: { id: stored.id, name, size: stored.size, sha256: stored.sha256, contentType: 'application/json' },
      };
    },

    /** Deletes the tenant's backups past their retention (files, manifest, catalogue row). */
    async pruneBackups(input: { tenantId: string }): Promise<{ deleted: number }> {
      const expired = (await db.withTenant(input.tenantId, (trx) =>
        trx('backups').where({ tenant_id: input.tenantId }).where('expires_at', '<', trx.fn.now()).select('id', 'manifest'),
      )) as Array<{ id: string; manifest: BackupManifest }>;
      for (const backup of expired) {
        for (const table of backup.manifest.tables) await files.delete(table.file.key);
        await files.delete(fileKey(input.tenantId, backup.id));
        await db.withTenant(input.tenantId, async (trx) => {
          await trx('backups').where({ id: backup.id }).del();
          await trx('files').where({ id: backup.id }).del();
        });
      }
      return { deleted: expired.length };
    },

    /** Removes what a cancelled backup wrote. */
    async discardBackup(input: { tenantId: string; backupId: string; tables: string[] }): Promise<void> {
      for (const table of input.tables) await files.delete(fileKey(input.tenantId, backupTableName(input.backupId, table)));
      await files.delete(fileKey(input.tenantId, input.backupId));
      await db.withTenant(input.tenantId, async (trx) => {
        await trx('backups').where({ id: input.backupId }).del();
        await trx('files').where({ id: input.backupId }).del();
      });
    },
  };
}
