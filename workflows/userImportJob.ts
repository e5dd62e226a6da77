import { proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { ImportError } from '../activities/imports/createUserImportActivities';
import { IMPORT_MALFORMED, type JobWorkflowInput } from './contracts';
import { runJob } from './jobs/runJob';

export interface UserImportParams {
  uploadId: string;
  format?: 'csv' | 'xlsx';
}

export interface UserImportResult extends Record<string, unknown> {
  rows: number;
  imported: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** The first errors; the downloadable report (`file`) has all of them. */
  errors: ImportError[];
  file: { id: string; name: string; size: number; sha256: string; contentType: string };
}

const { validateUserImport, applyUserImportChunk } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 minutes',
  // Heartbeats come every batch (apply) or 10,000 rows (validate): a lost worker is noticed quickly.
  heartbeatTimeout: '20 seconds',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: [IMPORT_MALFORMED] },
});
const { discardUserImport } = proxyActivities<HubActivities>({ startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 10 } });

/**
 * `user_import` job (workflow id `job/<slug>/user_import/<jobId>`): validate the whole upload and
 * stage its valid rows (nothing written yet: a malformed file fails here), then apply the staged
 * chunks one activity each (cancellation stops between chunks; applied batches stay), then remove
 * the staging. Only counts and file ids pass through history.
 */
export async function userImportJob(input: JobWorkflowInput<UserImportParams>): Promise<UserImportResult> {
  const target = { tenantId: input.tenantId, jobId: input.jobId, requestedBy: input.requestedBy };
  let chunks = 0;
  return runJob(
    input,
    async (control) => {
      control.progress.phase = 'validate';
      const validated = await control.batch(() => validateUserImport({ ...target, uploadId: input.params.uploadId, format: input.params.format }));
      chunks = validated.chunks;
      control.progress.phase = 'apply';
      control.progress.total = validated.valid;
      control.progress.failed = validated.failed;
      const totals = { imported: 0, updated: 0, unchanged: 0 };
      for (let chunk = 0; chunk < validated.chunks; chunk += 1) {
        await control.checkpoint();
        const applied = await control.batch(() => applyUserImportChunk({ ...target, chunk }));
        totals.imported += applied.imported;
        totals.updated += applied.updated;
        totals.unchanged += applied.unchanged;
        control.progress.done += applied.rows;
      }
      control.progress.phase = 'cleanup';
      await discardUserImport({ ...target, chunks, withReport: false });
      return { rows: validated.rows, ...totals, failed: validated.failed, errors: validated.errors, file: validated.errorReport };
    },
    () => discardUserImport({ ...target, chunks, withReport: true }),
    // Rows that failed validation were not imported: some make the job completed_with_errors, all of them failed.
    (result) => ({
      total: result.rows,
      failed: result.failed,
      noun: 'rows',
      examples: result.errors.map((error) => `line ${error.line}${error.column ? ` ${error.column}` : ''}: ${error.message}`),
    }),
  );
}
