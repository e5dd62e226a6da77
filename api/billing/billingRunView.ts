import { type Client } from '@temporalio/client';
import { type HubConfig } from '../../platform/config';
import { temporalUiUrl } from '../../platform/temporal/connection';
import { type JobStatusValue, type JobView } from '../jobs/jobView';
import { billingProgressQuery } from '../../workflows/contracts';

/**
 * Billing runs are platform-level work (every tenant), so they are not rows of the tenant `jobs`
 * table: they live in `billing_runs` (platform scope only) and the admin API shows them in the
 * job shape of API.md, kind `billing`, `params.period`, progress counting tenants.
 */
export interface BillingRunRow {
  id: string;
  period: string;
  tenants: string[] | null;
  status: JobStatusValue;
  workflow_id: string;
  run_id: string | null;
  requested_by: string;
  /** The platform admin billed a month that had not ended (`force`). */
  forced?: boolean;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function toBillingRunView(row: BillingRunRow, config: Pick<HubConfig, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, progress = row.progress): JobView {
  return {
    id: row.id,
    kind: 'billing',
    status: row.status,
    workflowId: row.workflow_id,
    temporalUiUrl: temporalUiUrl(config, row.workflow_id, row.run_id ?? undefined),
    params: { period: row.period, ...(row.tenants ? { tenants: row.tenants } : {}), ...(row.forced ? { force: true } : {}) },
    progress: progress as JobView['progress'],
    result: row.result,
    error: row.error,
    createdBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

const QUERY_DEADLINE_MS = 2_000;

/**
 * A running run with live progress from its workflow's `progress` query (the latest run of the
 * continue-as-new chain), when the workflow answering is this run; otherwise the progress the run
 * last recorded (after every page of tenants).
 */
export async function liveBillingRunView(
  row: BillingRunRow,
  temporal: Client,
  config: Pick<HubConfig, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>,
): Promise<JobView> {
  if (row.status !== 'running' && row.status !== 'queued') return toBillingRunView(row, config);
  try {
    const handle = temporal.workflow.getHandle(row.workflow_id);
    const live = await temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(billingProgressQuery));
    if (live.billingRunId === row.id) {
      const { billingRunId: _id, period: _period, ...progress } = live;
      return toBillingRunView(row, config, progress);
    }
  } catch {
    // No answer in time (or the run is gone): the recorded progress will do.
  }
  return toBillingRunView(row, config);
}
