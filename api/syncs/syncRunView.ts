import { z } from 'zod';
import { statsOf, sumStats, SYNC_MODES, type RunStreamRow } from '../../platform/sync/syncModel';
import { type HubConfig } from '../../platform/config';
import { temporalUiUrl } from '../../platform/temporal/connection';

const stats = {
  read: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  pages: z.number().int(),
  retries: z.number().int().describe('page attempts repeated after a failure, a 429 or a lost worker'),
  rateLimited: z.number().int().describe('pages the source answered 429 (waited for Retry-After)'),
  throttled: z.number().int().describe('pages that waited for the connector request budget'),
};

/** One run of the ledger as the API shows it. */
export const syncRunSchema = z.object({
  id: z.uuid().describe('the sync job id (GET /v1/jobs/:id)'),
  connectorId: z.uuid(),
  workflowId: z.string(),
  temporalUiUrl: z.url(),
  mode: z.enum(SYNC_MODES).describe('reconcile runs repair what incremental cursors missed: their inserted, updated and deleted counts are the repairs'),
  trigger: z.enum(['api', 'schedule']),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  streams: z.array(
    z.object({
      stream: z.string(),
      status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
      ...stats,
      durationMs: z.number().int().nullable(),
      error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
    }),
  ),
  totals: z.object(stats),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type SyncRunView = z.infer<typeof syncRunSchema>;

export interface SyncRunRow {
  id: string;
  connector_id: string;
  workflow_id: string;
  mode: SyncRunView['mode'];
  trigger: SyncRunView['trigger'];
  status: SyncRunView['status'];
  error: { code: string; message: string } | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  job_run_id: string | null;
  streams_detail: RunStreamRow[] | null;
}

export function toSyncRunView(row: SyncRunRow, config: Pick<HubConfig, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>): SyncRunView {
  const streams = (row.streams_detail ?? []).map((detail) => {
    const started = detail.started_at ? new Date(detail.started_at).getTime() : null;
    const finished = detail.finished_at ? new Date(detail.finished_at).getTime() : null;
    return {
      stream: detail.stream,
      status: detail.status as SyncRunView['streams'][number]['status'],
      ...statsOf(detail),
      durationMs: started !== null && finished !== null ? finished - started : null,
      error: detail.error,
    };
  });
  return {
    id: row.id,
    connectorId: row.connector_id,
    workflowId: row.workflow_id,
    temporalUiUrl: temporalUiUrl(config, row.workflow_id, row.job_run_id ?? undefined),
    mode: row.mode,
    trigger: row.trigger,
    status: row.status,
    error: row.error,
    streams,
    totals: sumStats(streams.map(({ stream: _stream, status: _status, durationMs: _duration, error: _error, ...counts }) => counts)),
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** Columns and the per-stream rows (as JSON) of runs, for one query. */
export const syncRunColumns = [
  'r.id',
  'r.connector_id',
  'r.workflow_id',
  'r.mode',
  'r.trigger',
  'r.status',
  'r.error',
  'r.created_at',
  'r.started_at',
  'r.finished_at',
] as const;
