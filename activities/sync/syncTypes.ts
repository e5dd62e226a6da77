/**
 * What the sync activities take and return. Workflows import these as types only; nothing here
 * carries record data: activities move records between the connector and Postgres themselves.
 */

import { type StreamStats, type SyncMode, type SyncTrigger } from '../../platform/sync/syncModel';

export type { StreamStats, SyncMode, SyncTrigger };

/** Which run of which connector an activity works for (the run id is the sync job's id). */
export interface SyncRunRef {
  tenantId: string;
  connectorId: string;
  runId: string;
}

export interface ClaimSyncRunInput {
  tenantId: string;
  tenantSlug: string;
  connectorId: string;
  /** The job the API created with the run; absent for runs a schedule starts. */
  jobId?: string;
  workflowId: string;
  firstExecutionRunId: string;
  mode: SyncMode;
  /** Streams to sync; null: every stream of the connector. */
  streams: string[] | null;
  trigger: SyncTrigger;
  requestedBy: string;
}

export type ClaimSyncRunResult =
  | { claimed: true; runId: string; streams: string[]; connectorType: string; connectorName: string }
  | { claimed: false; reason: 'SYNC_ALREADY_RUNNING' | 'CONNECTOR_PAUSED' | 'CONNECTOR_NOT_FOUND'; message: string };

export interface PageRequest extends SyncRunRef {
  stream: string;
  /** The page number to commit (pages this run already committed + 1). */
  page: number;
  mode: SyncMode;
}

/**
 * What one page activity did: either stored a page (counts, `done`, a short cursor preview), or
 * asks the workflow to wait (durable timer) before trying the same page again.
 */
export type PageOutcome =
  | {
      kind: 'stored';
      stream: string;
      page: number;
      read: number;
      inserted: number;
      updated: number;
      unchanged: number;
      deleted: number;
      done: boolean;
      /** Attempt of the activity that committed the page (attempts above 1 are retries). */
      attempt: number;
      /** The committed cursor (null when over 512 characters; it is in sync_stream_state). */
      cursor: string | null;
    }
  | { kind: 'wait'; stream: string; page: number; reason: 'rate_limited' | 'request_budget'; retryAfterMs: number };

export interface FinishedSyncRun {
  streams: Record<string, StreamStats & { status: string }>;
  totals: StreamStats;
}
