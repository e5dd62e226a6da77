import type { StreamStats, SyncMode, SyncTrigger } from '../../activities/sync/syncTypes';

/** What `POST /v1/connectors/:id/syncs` (or a schedule) asks a sync to do; shown as the job's params. */
export interface ConnectorSyncParams {
  connectorId: string;
  mode: SyncMode;
  /** Streams to sync; null: every stream of the connector. */
  streams: string[] | null;
}

/** Engine settings fixed when the run (or the schedule) is created. */
export interface ConnectorSyncOptions {
  /** Streams synced at once (default 3). */
  maxParallelStreams?: number;
  /** Continue as new after this many pages in one run (0 or absent: only when Temporal suggests it). */
  continueAsNewAfterPages?: number;
}

/** One stream's position within a run, carried across continue-as-new. */
export interface StreamRun {
  name: string;
  begun: boolean;
  done: boolean;
  /** Pages this run has committed for the stream. */
  page: number;
  stats: StreamStats;
}

/** What a run hands to its continuation. */
export interface CarriedSyncState {
  runId: string;
  connectorType: string;
  connectorName: string;
  slotAcquired: boolean;
  streams: StreamRun[];
  /** How many times the run continued as new so far. */
  continuations: number;
}

/**
 * Input of the `connectorSync` workflow. The first six fields are the standard job input
 * (workflows/jobs/control.ts); `jobId` is absent when a schedule started the run (the run records
 * its job itself).
 */
export interface ConnectorSyncInput {
  jobId?: string;
  tenantId: string;
  tenantSlug: string;
  kind: 'sync';
  params: ConnectorSyncParams;
  requestedBy: string;
  trigger: SyncTrigger;
  options?: ConnectorSyncOptions;
  carried?: CarriedSyncState;
}

/** What a finished sync returns (also the job's `result`). */
export interface ConnectorSyncResult extends Record<string, unknown> {
  connectorId: string;
  mode: SyncMode;
  streams: Record<string, StreamStats & { status: string }>;
  totals: StreamStats;
}

/** What a scheduled run returns when it had nothing to do (connector paused, or a run already active). */
export interface SkippedSync extends Record<string, unknown> {
  skipped: true;
  reason: string;
  message: string;
}
