import { defineQuery, defineSignal } from '@temporalio/workflow';
import { type WORKFLOW_TYPES } from './workflowTypes';

/** Live progress of a job, answered by the `progress` query. */
export interface JobProgress {
  /** What the job is doing now, e.g. `validate`, `export`, `apply`. */
  phase: string;
  done: number;
  total: number | null;
  /** `running`, or `paused` while a pause signal holds it at a batch boundary. */
  state: 'running' | 'paused';
  [detail: string]: unknown;
}

/** What every job workflow is started with; `params` is the kind's validated parameters. */
export interface JobWorkflowInput<Params = Record<string, unknown>> {
  jobId: string;
  tenantId: string;
  tenantSlug: string;
  kind: string;
  params: Params;
  requestedBy: string;
}

/** Workflow types that run a job row of `POST /v1/jobs` or a connector sync; started with a {@link JobWorkflowInput}. */
export type JobWorkflowType =
  | typeof WORKFLOW_TYPES.exportJob
  | typeof WORKFLOW_TYPES.userImportJob
  | typeof WORKFLOW_TYPES.batchScanJob
  | typeof WORKFLOW_TYPES.migrationJob
  | typeof WORKFLOW_TYPES.backupJob
  | typeof WORKFLOW_TYPES.restoreJob
  | typeof WORKFLOW_TYPES.connectorSync;

/** The signature every job workflow shares (some take more fields than {@link JobWorkflowInput}). */
export type JobWorkflow = (input: JobWorkflowInput) => Promise<unknown>;

/** A job's live progress (jobs and syncs; the API reads it for running jobs). */
export const progressQuery = defineQuery<JobProgress>('progress');
/** Hold at the next batch boundary until `resume`. */
export const pauseSignal = defineSignal('pause');
/** Go on after a `pause`. */
export const resumeSignal = defineSignal('resume');
