import { proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { ExportFilter } from '../activities/exports/datasets';
import { EXPORT_NOT_SUPPORTED, type JobWorkflowInput } from './contracts';
import { runJob } from './jobs/runJob';

export interface ExportParams {
  dataset: string;
  format: string;
  filter?: ExportFilter;
}

export interface ExportResult extends Record<string, unknown> {
  dataset: string;
  format: string;
  rows: number;
  file: { id: string; name: string; size: number; sha256: string; contentType: string };
}

/** Rows per chunk: one activity reads and writes this many. */
const CHUNK_ROWS = 50_000;

const { countExportRows, exportChunk, finalizeExport, discardExport } = proxyActivities<HubActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: [EXPORT_NOT_SUPPORTED] },
});

/** `export` job: a dataset to a downloadable file, chunk by chunk (workflow id `job/<slug>/export/<jobId>`). */
export async function exportJob(input: JobWorkflowInput<ExportParams>): Promise<ExportResult> {
  const target = {
    tenantId: input.tenantId,
    jobId: input.jobId,
    dataset: input.params.dataset,
    format: input.params.format,
    filter: input.params.filter ?? {},
  };
  let parts = 0;
  return runJob(
    input,
    async (control) => {
      control.progress.phase = 'count';
      control.progress.total = (await countExportRows(target)).total;
      control.progress.phase = 'export';
      let afterKey: string | null = null;
      let rows = 0;
      do {
        await control.checkpoint();
        const part = parts;
        const chunk = await control.batch(() => exportChunk({ ...target, afterKey, part, limit: CHUNK_ROWS }));
        parts += 1;
        rows += chunk.rows;
        control.progress.done = rows;
        afterKey = chunk.nextKey;
      } while (afterKey !== null);
      await control.checkpoint();
      control.progress.phase = 'finalize';
      const file = await control.batch(() => finalizeExport({ ...target, parts, rows, requestedBy: input.requestedBy }));
      return {
        dataset: target.dataset,
        format: target.format,
        rows,
        file: { id: file.fileId, name: file.name, size: file.size, sha256: file.sha256, contentType: file.contentType },
      };
    },
    () => discardExport({ tenantId: input.tenantId, jobId: input.jobId, parts }),
  );
}
