import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { ResponseBody } from '../../api/types';

export type ImportJob = ResponseBody<'/v1/jobs/{id}', 'get'>['job'];

const ACTIVE_STATUSES: ReadonlySet<ImportJob['status']> = new Set(['queued', 'running', 'paused']);

export const isJobActive = (job: ImportJob | undefined) => job !== undefined && ACTIVE_STATUSES.has(job.status);

/** Starts a `user_import` job from an upload (admins only, as the API's job kind requires). */
export function startUserImport(uploadId: string) {
  return unwrap(api.POST('/v1/jobs', { body: { kind: 'user_import', params: { uploadId } } }));
}

/** The import job, polled every second while it runs and not after. */
export function useImportJob(jobId: string | undefined) {
  return useQuery({
    queryKey: ['jobs', jobId],
    queryFn: () => unwrap(api.GET('/v1/jobs/{id}', { params: { path: { id: jobId! } } })),
    enabled: Boolean(jobId),
    refetchInterval: (query) => (query.state.data === undefined || isJobActive(query.state.data.job) ? 1_000 : false),
  });
}

/** One row the import refused: its line in the file, the column (when one is at fault) and why. */
export interface ImportRowError {
  line: number;
  column: string | null;
  message: string;
}

/**
 * The counts of a finished `user_import` (docs/bulk-jobs.md). The job schema types every kind's
 * result as an open object, so the fields are read and checked here rather than asserted.
 */
export interface ImportSummary {
  rows: number;
  imported: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: ImportRowError[];
  hasReport: boolean;
}

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export function importSummary(job: ImportJob): ImportSummary | undefined {
  const result = job.result;
  if (!result) return undefined;
  const errors = Array.isArray(result.errors)
    ? result.errors.flatMap((entry: unknown) => {
        if (typeof entry !== 'object' || entry === null) return [];
        const { line, column, message } = entry as Record<string, unknown>;
        return typeof line === 'number' && typeof message === 'string' ? [{ line, column: typeof column === 'string' ? column : null, message }] : [];
      })
    : [];
  return {
    rows: count(result.rows),
    imported: count(result.imported),
    updated: count(result.updated),
    unchanged: count(result.unchanged),
    failed: count(result.failed),
    errors,
    hasReport: typeof result.file === 'object' && result.file !== null,
  };
}

/** The import's progress as a percentage of the valid rows applied, or undefined while it validates. */
export function importPercent(job: ImportJob): number | undefined {
  const progress = job.progress;
  if (!progress || progress.phase !== 'apply' || !progress.total) return undefined;
  return Math.min(100, Math.round((progress.done / progress.total) * 100));
}
