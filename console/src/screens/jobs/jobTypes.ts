import type { paths } from '../../api/schema';
import type { RequestBody, ResponseBody } from '../../api/types';
import type { Role } from '../../session/roles';

/** A job as `GET /v1/jobs` lists it. */
export type Job = ResponseBody<'/v1/jobs', 'get'>['data'][number];
/** What `POST /v1/jobs` accepts: one member per job kind. */
export type StartJobBody = RequestBody<'/v1/jobs', 'post'>;
export type JobKindName = StartJobBody['kind'];
export type JobStatus = Job['status'];
export type ParamsOf<Kind extends JobKindName> = NonNullable<Extract<StartJobBody, { kind: Kind }>['params']>;
export type ListJobsQuery = NonNullable<paths['/v1/jobs']['get']['parameters']['query']>;

type ExportParams = ParamsOf<'export'>;
export type ExportDataset = ExportParams['dataset'];
export type ExportFormat = ExportParams['format'];
export type MigrationTarget = NonNullable<ParamsOf<'migration'>['target']>;

// Records keyed by the schema's enums: a kind, status, dataset or format the API adds (or drops)
// fails the typecheck here until the console names it, so the forms never offer a stale list.

/** Job kinds with a label and the least role that may start them (mirrors api/jobs/jobKinds.ts). */
export const JOB_KINDS: Record<JobKindName, { label: string; minRole: Role }> = {
  export: { label: 'Export', minRole: 'manager' },
  user_import: { label: 'User import', minRole: 'admin' },
  batch_scan: { label: 'Batch scan', minRole: 'manager' },
  migration: { label: 'Migration', minRole: 'admin' },
  backup: { label: 'Backup', minRole: 'admin' },
  restore: { label: 'Restore', minRole: 'admin' },
};

export const JOB_STATUSES: Record<NonNullable<ListJobsQuery['status']>, { label: string; color: string }> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  paused: { label: 'Paused', color: 'yellow' },
  completed: { label: 'Completed', color: 'green' },
  completed_with_errors: { label: 'Completed with errors', color: 'orange' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

export const EXPORT_DATASETS: Record<ExportDataset, string> = {
  users: 'Users',
  records: 'Records',
  audit_logs: 'Audit log',
  usage: 'Usage',
  invoices: 'Invoices',
};

/** Audit logs need an admin; every other dataset a manager (api/jobs/jobKinds.ts datasetRoutes). */
export const EXPORT_DATASET_ROLE: Record<ExportDataset, Role> = {
  users: 'manager',
  records: 'manager',
  audit_logs: 'admin',
  usage: 'manager',
  invoices: 'manager',
};

export const EXPORT_FORMATS: Record<ExportFormat, string> = {
  csv: 'CSV',
  json: 'JSON',
  ndjson: 'NDJSON',
  xml: 'XML',
  xlsx: 'Excel (XLSX)',
  pdf: 'PDF',
};

export const MIGRATION_TARGETS: Record<MigrationTarget, string> = { users: 'Users', records: 'Records' };

export const USER_IMPORT_FORMATS: Record<NonNullable<ParamsOf<'user_import'>['format']>, string> = { csv: 'CSV', xlsx: 'Excel (XLSX)' };

/** `{ value, label }` options of a label record, for a Select. */
export function optionsOf<Key extends string>(labels: Record<Key, string>): Array<{ value: Key; label: string }> {
  return (Object.entries(labels) as Array<[Key, string]>).map(([value, label]) => ({ value, label }));
}

const ACTIVE_STATUSES: ReadonlySet<JobStatus> = new Set(['queued', 'running', 'paused']);

/** True while the job may still change (poll it, offer cancel). */
export function isActive(job: Pick<Job, 'status'>): boolean {
  return ACTIVE_STATUSES.has(job.status);
}

/** One row error of an import or migration report (`result.errors`). */
export interface RowError {
  line: number;
  column: string | null;
  message: string;
}

/**
 * The row errors a job's result reports. `result` is an open object in the schema (each kind
 * shapes it), so the entries are checked rather than trusted.
 */
export function rowErrorsOf(job: Pick<Job, 'result'>): RowError[] {
  const errors = job.result?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { line, column, message } = entry as Record<string, unknown>;
    if (typeof line !== 'number' || typeof message !== 'string') return [];
    return [{ line, column: typeof column === 'string' ? column : null, message }];
  });
}

/** True when the job produced a file `GET /v1/jobs/{id}/download` serves. */
export function hasOutputFile(job: Pick<Job, 'result'>): boolean {
  const file = job.result?.file;
  return typeof file === 'object' && file !== null && typeof (file as { id?: unknown }).id === 'string';
}

/** The least role that may start (and so cancel or download) this job. */
export function minRoleOf(job: Pick<Job, 'kind' | 'params'>): Role {
  if (job.kind === 'export') {
    const dataset = job.params.dataset as ExportDataset | undefined;
    return (dataset && EXPORT_DATASET_ROLE[dataset]) ?? 'manager';
  }
  return JOB_KINDS[job.kind as JobKindName]?.minRole ?? 'admin';
}
