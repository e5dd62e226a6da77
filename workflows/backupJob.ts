import { patched, proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { BackupTableEntry } from '../activities/backups/backupManifest';
import { BACKUP_FAILED, type JobWorkflowInput } from './contracts';
import { runJob } from './jobs/runJob';

export interface BackupResult extends Record<string, unknown> {
  backupId: string;
  sha256: string;
  rowCounts: Record<string, number>;
  file: { id: string; name: string; size: number; sha256: string; contentType: string };
  pruned: number;
}

const { listBackupTables, backupTable, writeBackupManifest, pruneBackups, discardBackup } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: [BACKUP_FAILED] },
});

// Every table in one activity (one snapshot): a large tenant's whole backup has to fit its timeout.
const { backupTables } = proxyActivities<HubActivities>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: [BACKUP_FAILED] },
});

/**
 * `backup` job (workflow id `job/<slug>/backup/<jobId>`; the daily schedule runs it through
 * `scheduledBackup`): every tenant table read in one snapshot by one activity, then the manifest,
 * then retention. A cancellation lets the tables finish, then removes the files written.
 * Histories from before `backup-one-snapshot` replay the old way (one activity per table).
 */
export async function backupJob(input: JobWorkflowInput<Record<string, never>> & { trigger?: 'api' | 'schedule' }): Promise<BackupResult> {
  const backupId = input.jobId;
  const written: string[] = [];
  return runJob(
    input,
    async (control) => {
      control.progress.phase = 'tables';
      const tables = await listBackupTables({ tenantId: input.tenantId });
      control.progress.total = tables.length;
      control.progress.phase = 'backup';
      const entries: BackupTableEntry[] = [];
      if (patched('backup-one-snapshot')) {
        await control.checkpoint();
        written.push(...tables);
        const snapshot = await control.batch(() => backupTables({ tenantId: input.tenantId, backupId }));
        // The catalogue read in the snapshot is authoritative (a migration may have run since listBackupTables).
        for (const entry of snapshot) if (!written.includes(entry.name)) written.push(entry.name);
        entries.push(...snapshot);
        control.progress.total = entries.length;
        control.progress.done = entries.length;
      } else {
        for (const table of tables) {
          await control.checkpoint();
          written.push(table);
          entries.push(await control.batch(() => backupTable({ tenantId: input.tenantId, backupId, table })));
          control.progress.done = entries.length;
        }
      }
      await control.checkpoint();
      control.progress.phase = 'manifest';
      const manifest = await control.batch(() =>
        writeBackupManifest({
          tenantId: input.tenantId,
          tenantSlug: input.tenantSlug,
          backupId,
          jobId: input.jobId,
          trigger: input.trigger ?? 'api',
          tables: entries,
          requestedBy: input.requestedBy,
        }),
      );
      control.progress.phase = 'retention';
      const { deleted } = await pruneBackups({ tenantId: input.tenantId });
      return { ...manifest, pruned: deleted };
    },
    () => discardBackup({ tenantId: input.tenantId, backupId, tables: written }),
  );
}
