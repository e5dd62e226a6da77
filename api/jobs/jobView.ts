import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { temporalUiUrl } from '../../platform/temporal/connection';
import { type HubConfig } from '../../platform/config';
import { progressQuery } from '../../workflows/contracts';

/** `completed_with_errors`: finished, but some of its items (rows, tenants, scanned items) failed; `error` says how many. */
export const JOB_STATUSES = ['queued', 'running', 'paused', 'completed', 'completed_with_errors', 'failed', 'cancelled'] as const;
export type JobStatusValue = (typeof JOB_STATUSES)[number];
const ACTIVE: ReadonlySet<string> = new Set(['queued', 'running', 'paused']);

/** A job as the API shows it (API.md "Jobs"). */
export const jobSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  status: z.enum(JOB_STATUSES),
  workflowId: z.string(),
  temporalUiUrl: z.url(),
  params: z.record(z.string(), z.unknown()),
  progress: z.looseObject({ done: z.number(), total: z.number().nullable() }).nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type JobView = z.infer<typeof jobSchema>;

export interface JobRow {
  id: string;
  tenant_id: string;
  kind: string;
  status: JobStatusValue;
  params: Record<string, unknown>;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  workflow_id: string;
  run_id: string | null;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function toJobView(row: JobRow, config: Pick<HubConfig, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, stored = row.progress): JobView {
  // The last progress a workflow reported says `running`; once the job has ended, its state is the job's.
  const progress = stored && !ACTIVE.has(row.status) && 'state' in stored ? { ...stored, state: row.status } : stored;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    workflowId: row.workflow_id,
    temporalUiUrl: temporalUiUrl(config, row.workflow_id, row.run_id ?? undefined),
    params: row.params,
    progress: progress as JobView['progress'],
    result: row.result,
    error: row.error,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

const QUERY_DEADLINE_MS = 2_000;

/**
 * The job with live progress: for an active job, asks its workflow (the `progress` query). When
 * the workflow is gone or ended without recording its outcome (terminated from the UI, timed out),
 * says so instead of showing a job that runs forever.
 */
export async function liveJobView(row: JobRow, temporal: Client, config: Pick<HubConfig, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>): Promise<JobView> {
  if (!ACTIVE.has(row.status)) return toJobView(row, config);
  // The latest run of the chain the job started (a long sync continues as new).
  const handle = temporal.workflow.getHandle(row.workflow_id, undefined, { firstExecutionRunId: row.run_id ?? undefined });
  try {
    const progress = await temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(progressQuery));
    return toJobView(row, config, progress);
  } catch (error) {
    const status = await describeStatus(handle, error).catch(() => undefined);
    if (status === 'TERMINATED' || status === 'TIMED_OUT' || status === 'NOT_FOUND') {
      return toJobView(
        {
          ...row,
          status: 'failed',
          error: row.error ?? { code: `WORKFLOW_${status}`, message: `the job's workflow is ${status.toLowerCase().replace('_', ' ')}` },
        },
        config,
      );
    }
    if (status === 'CANCELLED') return toJobView({ ...row, status: 'cancelled' }, config);
    return toJobView(row, config);
  }
}

async function describeStatus(handle: ReturnType<Client['workflow']['getHandle']>, queryError: unknown): Promise<string> {
  if (queryError instanceof WorkflowNotFoundError) return 'NOT_FOUND';
  const description = await handle.describe();
  return description.status.name;
}
