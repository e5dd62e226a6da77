import { defineQuery, defineSignal } from '@temporalio/workflow';

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

export const progressQuery = defineQuery<JobProgress>('progress');
/** Hold at the next batch boundary until `resume`. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
