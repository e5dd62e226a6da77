import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type ReadPageResult } from '../../connectors/types';
import { appendAudit } from '../../platform/audit';
import { resolveConnectorType } from '../../connectors/connectorTypes';
import { type ConnectorRow } from '../../platform/connectorStore';
import { isUniqueViolation, type TenantTransaction } from '../../platform/db';
import { emitEvent } from '../../platform/events/emitEvent';
import { uuidFromName } from '../../platform/ids';
import { insertUsageEvents, stampUsageEvent } from '../../platform/metering/recordUsage';
import { USAGE_KINDS } from '../../platform/metering/usageEvent';
import { effectiveSettings } from '../../platform/tenants/settings';
import { withConnector } from '../connectors/connectorRuntime';
import { type ActivityDeps } from '../deps';
import { storePage, sweepUnseenRecords } from './recordsStore';
import { ReadAhead, ReadAheadSkipped } from './readAhead';
import { ConnectorRequestBudget } from './requestBudget';
import { readsEverything, statsOf, sumStats } from '../../platform/sync/syncModel';
import { addPageToLedger, countPageSetback, runStreams } from './syncRunLedger';
import {
  type ClaimSyncRunInput,
  type ClaimSyncRunResult,
  type FinishedSyncRun,
  type PageOutcome,
  type PageRequest,
  type SyncMode,
  type SyncRunRef,
} from './syncTypes';
import { CONNECTOR_FAILURE_TYPES, SYNC_RUN_SUPERSEDED } from '../../workflows/contracts';

/** Failure type when a stream's state belongs to another run (a stale or duplicate run): not retried. */
export { SYNC_RUN_SUPERSEDED };

const CURSOR_PREVIEW_MAX = 512;
const HEARTBEAT_EVERY_MS = 5_000;

interface StreamStateRow {
  cursor: string | null;
  run_id: string | null;
  page_no: number;
  last_page: PageOutcome | null;
  done: boolean;
}

/**
 * The sync engine's activities. The heart is {@link readAndStorePage}: one page read from the
 * connector and, in one Postgres transaction, upserted into `records`, the stream cursor advanced,
 * the run ledger counted and the usage metered. The rest keep the run's bookkeeping (claim,
 * concurrency slot, stream start, finish / fail / cancel with events and audit rows). All are
 * idempotent: retried with the same input they change nothing twice.
 */
export function createSyncActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault'>) {
  const { db, config, logger } = deps;
  const budget = new ConnectorRequestBudget(db.knex, config.SYNC_CONNECTOR_REQUEST_BUDGET);
  const readAhead = new ReadAhead();
  const pageKey = (request: PageRequest, page: number) => `${request.runId}:${request.stream}:${page}`;
  const readFromSource = (request: PageRequest, cursor: string | null, options: { signal?: AbortSignal; heartbeat?: (details?: unknown) => void }) =>
    withConnector(
      deps,
      { tenantId: request.tenantId, connectorId: request.connectorId },
      ({ instance }) => instance.readPage(request.stream, cursor, config.SYNC_PAGE_SIZE),
      options,
    );

  return {
    /**
     * Makes sure the run exists: API-started runs were recorded with their job; a run a schedule
     * started records its job (id derived from the workflow id) and run here, unless the connector
     * is paused or already syncing (then the scheduled run is skipped).
     */
    async claimSyncRun(input: ClaimSyncRunInput): Promise<ClaimSyncRunResult> {
      const runId = input.jobId ?? uuidFromName(`sync-job:${input.workflowId}`);
      return db.withTenant(input.tenantId, async (trx) => {
        const connector = (await trx<ConnectorRow>('connectors')
          .where({ id: input.connectorId, tenant_id: input.tenantId })
          .first('id', 'type', 'name', 'config', 'status')) as Pick<ConnectorRow, 'id' | 'type' | 'name' | 'config' | 'status'> | undefined;
        const existing = (await trx('sync_runs').where({ id: runId }).first('streams', 'status')) as { streams: string[]; status: string } | undefined;
        if (existing) {
          if (!connector) return { claimed: false, reason: 'CONNECTOR_NOT_FOUND', message: `connector ${input.connectorId} no longer exists` };
          return { claimed: true, runId, streams: existing.streams, connectorType: connector.type, connectorName: connector.name };
        }
        if (input.jobId) throw ApplicationFailure.nonRetryable(`sync run ${runId} was not recorded`, SYNC_RUN_SUPERSEDED);
        if (!connector) return { claimed: false, reason: 'CONNECTOR_NOT_FOUND', message: `connector ${input.connectorId} no longer exists` };
        if (connector.status === 'paused') return { claimed: false, reason: 'CONNECTOR_PAUSED', message: `connector ${connector.id} is paused` };

        const streams =
          input.streams ??
          (await resolveConnectorType(trx, input.tenantId, connector.type))?.streams(connector.config as never).map((stream) => stream.name) ??
          [];
        try {
          // A savepoint: a unique violation must not abort the transaction.
          await trx.transaction(async (savepoint) => {
            await savepoint('sync_runs').insert({
              id: runId,
              tenant_id: input.tenantId,
              connector_id: input.connectorId,
              workflow_id: input.workflowId,
              mode: input.mode,
              trigger: input.trigger,
              streams,
              status: 'queued',
            });
          });
        } catch (error) {
          if (isUniqueViolation(error, 'sync_runs_one_active'))
            return { claimed: false, reason: 'SYNC_ALREADY_RUNNING', message: `connector ${connector.id} is already syncing` };
          throw error;
        }
        await trx('jobs').insert({
          id: runId,
          tenant_id: input.tenantId,
          kind: 'sync',
          status: 'queued',
          params: JSON.stringify({ connectorId: input.connectorId, mode: input.mode, streams }),
          workflow_id: input.workflowId,
          run_id: input.firstExecutionRunId,
          created_by: input.requestedBy,
        });
        await appendAudit(trx, {
          tenantId: input.tenantId,
          actor: { type: 'system', id: input.requestedBy },
          action: 'job.started',
          target: { type: 'job', id: runId },
          details: { kind: 'sync', workflowId: input.workflowId, connectorId: input.connectorId, trigger: input.trigger },
          eventKey: `${input.workflowId}/job.started`,
        });
        return { claimed: true, runId, streams, connectorType: connector.type, connectorName: connector.name };
      });
    },

    /**
     * Takes one of the tenant's concurrent sync slots (`settings.limits.maxConcurrentSyncs`, capped
     * by the plan) for the run, or says the tenant is at its cap (the workflow waits and asks again).
     */
    async acquireSyncSlot(input: { tenantId: string; runId: string }): Promise<{ acquired: boolean; running: number; limit: number }> {
      return db.withTenant(input.tenantId, async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`sync-slots:${input.tenantId}`]);
        const tenant = (await trx('tenants').where({ id: input.tenantId }).first('plan', 'settings')) as {
          plan: 'starter' | 'professional' | 'enterprise';
          settings: Record<string, unknown>;
        };
        const limit = effectiveSettings(tenant.plan, tenant.settings).limits.maxConcurrentSyncs;
        const run = (await trx('sync_runs').where({ id: input.runId }).first('status')) as { status: string } | undefined;
        if (!run) throw ApplicationFailure.nonRetryable(`sync run ${input.runId} not found`, SYNC_RUN_SUPERSEDED);
        const counted = (await trx('sync_runs').where({ tenant_id: input.tenantId, status: 'running' }).count({ running: '*' })) as Array<{ running: string }>;
        const running = counted[0]?.running ?? '0';
        if (run.status === 'running') return { acquired: true, running: Number(running), limit };
        if (run.status !== 'queued') throw ApplicationFailure.nonRetryable(`sync run ${input.runId} is ${run.status}`, SYNC_RUN_SUPERSEDED);
        if (Number(running) >= limit) return { acquired: false, running: Number(running), limit };
        await trx('sync_runs').where({ id: input.runId }).update({ status: 'running', started_at: trx.fn.now(), updated_at: trx.fn.now() });
        return { acquired: true, running: Number(running) + 1, limit };
      });
    },

    /**
     * Points the stream's state at this run (a full refresh starts from no cursor; an incremental
     * run from the stored one) and opens its ledger row. Idempotent: once the state belongs to the
     * run, it answers how many pages the run has already committed.
     */
    async beginStreamSync(input: SyncRunRef & { stream: string; mode: SyncMode }): Promise<{ page: number; done: boolean }> {
      return db.withTenant(input.tenantId, async (trx) => {
        await trx.raw(
          `insert into sync_stream_state (tenant_id, connector_id, stream, cursor, run_id, page_no, done)
           values (?, ?, ?, null, ?, 0, false)
           on conflict (tenant_id, connector_id, stream) do update
              set run_id = excluded.run_id, page_no = 0, last_page = null, done = false, updated_at = now(),
                  cursor = case when ?::boolean then null else sync_stream_state.cursor end
            where sync_stream_state.run_id is distinct from excluded.run_id`,
          [input.tenantId, input.connectorId, input.stream, input.runId, readsEverything(input.mode)],
        );
        await trx.raw(
          `insert into sync_run_streams (tenant_id, run_id, stream, status, started_at) values (?, ?, ?, 'running', now())
           on conflict (run_id, stream) do nothing`,
          [input.tenantId, input.runId, input.stream],
        );
        const state = (await trx('sync_stream_state')
          .where({ tenant_id: input.tenantId, connector_id: input.connectorId, stream: input.stream })
          .first('page_no', 'done')) as { page_no: number; done: boolean };
        return { page: state.page_no, done: state.done };
      });
    },

    /**
     * One page: reads it from the connector after the committed cursor, then in ONE transaction
     * upserts the records (change detection by hash), advances the cursor, adds the page to the run
     * ledger and meters the records. Returns counts and the cursor only, never records.
     *
     * Exactly once under retries: a page already committed by an earlier attempt (the worker died
     * after the commit, or a slow attempt finished first) is answered from the stream state, not
     * applied again; the stream row is locked while a page commits. A 429 or an exhausted request
     * budget answers `wait` so the workflow sleeps on a durable timer; other failures are counted in
     * the ledger and retried by Temporal with backoff. Heartbeats carry the in-flight cursor.
     * While it writes, the next page is read ahead ({@link ReadAhead}): the next activity uses it
     * when it runs on this worker from the same committed cursor.
     */
    async readAndStorePage(request: PageRequest): Promise<PageOutcome> {
      const context = Context.current();
      const { attempt } = context.info;
      const target = { tenantId: request.tenantId, runId: request.runId, stream: request.stream };
      const stateQuery = db.knex('sync_stream_state').where({ tenant_id: request.tenantId, connector_id: request.connectorId, stream: request.stream });
      const [state] = await db.readAsTenant<StreamStateRow>(request.tenantId, stateQuery.clone().select('cursor', 'run_id', 'page_no', 'last_page', 'done'));
      const committed = answerIfCommitted(state, request);
      if (committed) return committed;
      const cursor = state!.cursor;
      // Read while the previous page was being written (same worker, same committed cursor)?
      const ahead = readAhead.take(pageKey(request, request.page), cursor)?.catch((error: unknown) => {
        if (error instanceof ReadAheadSkipped) return undefined;
        throw error;
      });

      const startedAt = performance.now();
      let inFlight: Record<string, unknown> = { stream: request.stream, page: request.page, cursor };
      context.heartbeat(inFlight);
      const keepAlive = setInterval(() => context.heartbeat(inFlight), HEARTBEAT_EVERY_MS);
      try {
        let read: ReadPageResult | undefined;
        try {
          read = ahead ? await ahead : undefined;
          if (!read) {
            const allowance = await budget.take(request.connectorId);
            if (!allowance.allowed) {
              await countPageSetback(db, target, 'throttled');
              return { kind: 'wait', stream: request.stream, page: request.page, reason: 'request_budget', retryAfterMs: allowance.retryAfterMs };
            }
            read = await readFromSource(request, cursor, {
              signal: context.cancellationSignal,
              heartbeat: (details) => context.heartbeat({ ...inFlight, connector: details }),
            });
          }
        } catch (error) {
          if (error instanceof ApplicationFailure && error.type === CONNECTOR_FAILURE_TYPES.rate_limit) {
            await countPageSetback(db, target, 'rate_limited').catch((failure: unknown) =>
              logger.warn({ err: failure }, 'could not count a rate-limited page'),
            );
            const delay = typeof error.nextRetryDelay === 'number' ? error.nextRetryDelay : 30_000;
            return { kind: 'wait', stream: request.stream, page: request.page, reason: 'rate_limited', retryAfterMs: Math.max(1_000, delay) };
          }
          throw error;
        }
        inFlight = { stream: request.stream, page: request.page, cursor: read.nextCursor, records: read.records.length };
        context.heartbeat(inFlight);
        const readAt = performance.now();
        const nextCursor = read.nextCursor;
        if (!read.done && nextCursor !== null) {
          readAhead.start(pageKey(request, request.page + 1), nextCursor, async () => {
            const allowance = await budget.take(request.connectorId);
            if (!allowance.allowed) throw new ReadAheadSkipped('request budget used up');
            return readFromSource(request, nextCursor, {});
          });
        }

        const stored = await db.withTenant(request.tenantId, async (trx) => {
          const [current] = (await stateQuery
            .clone()
            .transacting(trx)
            .forUpdate()
            .select('cursor', 'run_id', 'page_no', 'last_page', 'done')) as StreamStateRow[];
          const raced = answerIfCommitted(current, request);
          if (raced) return raced;
          const counts = await storePage(
            trx,
            {
              tenantId: request.tenantId,
              connectorId: request.connectorId,
              stream: request.stream,
              runId: request.runId,
              fullRefresh: readsEverything(request.mode),
            },
            read.records,
          );
          const outcome: PageOutcome = {
            kind: 'stored',
            stream: request.stream,
            page: request.page,
            read: read.records.length,
            ...counts,
            done: read.done,
            attempt,
            cursor: read.nextCursor !== null && read.nextCursor.length <= CURSOR_PREVIEW_MAX ? read.nextCursor : null,
          };
          await stateQuery
            .clone()
            .transacting(trx)
            .update({ cursor: read.nextCursor, page_no: request.page, last_page: JSON.stringify(outcome), done: read.done, updated_at: trx.fn.now() });
          await addPageToLedger(trx, target, { ...counts, read: read.records.length, attempt, done: read.done });
          // Incremental runs meter the records that changed: the lookback window's repeats are the
          // hub's safety margin, not the tenant's usage. Full reads meter every record read.
          const metered = readsEverything(request.mode) ? read.records.length : counts.inserted + counts.updated + counts.deleted;
          if (metered > 0) {
            await insertUsageEvents(trx, request.tenantId, [
              stampUsageEvent({
                tenantId: request.tenantId,
                kind: USAGE_KINDS.syncRecords,
                quantity: metered,
                dedupeKey: `sync:${request.runId}:${request.stream}:${request.page}`,
                details: {
                  connectorId: request.connectorId,
                  stream: request.stream,
                  inserted: counts.inserted,
                  updated: counts.updated,
                  deleted: counts.deleted,
                },
              }),
            ]);
          }
          return outcome;
        });
        logger.debug(
          {
            runId: request.runId,
            stream: request.stream,
            page: request.page,
            records: read.records.length,
            readAhead: ahead !== undefined,
            readMs: Math.round(readAt - startedAt),
            writeMs: Math.round(performance.now() - readAt),
          },
          'sync page',
        );
        return stored;
      } catch (error) {
        if (!(error instanceof ApplicationFailure && error.nonRetryable)) {
          const failure =
            error instanceof ApplicationFailure
              ? { code: error.type ?? 'ERROR', message: error.message }
              : { code: 'ERROR', message: (error as Error)?.message ?? String(error) };
          await countPageSetback(db, target, 'failed', failure).catch((failure2: unknown) => logger.warn({ err: failure2 }, 'could not count a failed page'));
        }
        throw error;
      } finally {
        clearInterval(keepAlive);
      }
    },

    /**
     * Completes a run that read every stream to the end: a full refresh first marks the records it
     * did not see as deleted (only now that the run succeeded), then the run and its streams are
     * recorded completed and `sync.completed` is emitted, with an audit row. Idempotent.
     */
    async finishSyncRun(input: SyncRunRef & { mode: SyncMode; workflowId: string }): Promise<FinishedSyncRun> {
      return db.withTenant(input.tenantId, async (trx) => {
        const run = (await trx('sync_runs').where({ id: input.runId }).forUpdate().first('status', 'streams')) as
          { status: string; streams: string[] } | undefined;
        if (!run) throw ApplicationFailure.nonRetryable(`sync run ${input.runId} not found`, SYNC_RUN_SUPERSEDED);
        if (run.status !== 'completed') {
          if (run.status !== 'running') throw ApplicationFailure.nonRetryable(`sync run ${input.runId} is ${run.status}`, SYNC_RUN_SUPERSEDED);
          if (readsEverything(input.mode)) {
            for (const stream of run.streams) {
              const swept = await sweepUnseenRecords(trx, { tenantId: input.tenantId, connectorId: input.connectorId, stream, runId: input.runId });
              if (swept > 0) await trx('sync_run_streams').where({ run_id: input.runId, stream }).increment('deleted', swept);
            }
          }
          await trx('sync_run_streams')
            .where({ run_id: input.runId })
            .update({ status: 'completed', finished_at: trx.raw('coalesce(finished_at, now())'), updated_at: trx.fn.now() });
          await trx('sync_runs').where({ id: input.runId }).update({ status: 'completed', finished_at: trx.fn.now(), updated_at: trx.fn.now() });
        }
        const finished = await summarise(trx, input.runId);
        await reportSyncOutcome(trx, input, 'completed', {
          event: { jobId: input.runId, connectorId: input.connectorId, mode: input.mode, streams: finished.streams, totals: finished.totals },
          audit: { jobId: input.runId, mode: input.mode, totals: finished.totals },
        });
        return finished;
      });
    },

    /** Records a failed run (the failing stream gets the error; unfinished ones are cancelled) and emits `sync.failed`. */
    async failSyncRun(input: SyncRunRef & { workflowId: string; stream: string | null; error: { code: string; message: string } }): Promise<void> {
      await db.withTenant(input.tenantId, async (trx) => {
        const closed = await closeRun(trx, input.runId, 'failed', input.error, input.stream);
        if (!closed) return;
        const finished = await summarise(trx, input.runId);
        await reportSyncOutcome(trx, input, 'failed', {
          event: { jobId: input.runId, connectorId: input.connectorId, stream: input.stream, error: input.error, totals: finished.totals },
          audit: { jobId: input.runId, stream: input.stream, errorCode: input.error.code },
        });
      });
    },

    /** Records a cancelled run: cursors stay where the last committed page left them; no sweep. */
    async cancelSyncRun(input: SyncRunRef & { workflowId: string }): Promise<void> {
      await db.withTenant(input.tenantId, async (trx) => {
        const closed = await closeRun(trx, input.runId, 'cancelled', { code: 'CANCELLED', message: 'the sync was cancelled' }, null);
        if (!closed) return;
        await appendAudit(trx, {
          tenantId: input.tenantId,
          actor: { type: 'system', id: 'sync-engine' },
          action: 'sync.cancelled',
          target: { type: 'connector', id: input.connectorId },
          details: { jobId: input.runId },
          eventKey: `${input.workflowId}/sync.cancelled`,
        });
      });
    },
  };
}

/** The stored outcome when `request.page` is already committed by this run; throws when the stream moved to another run. */
function answerIfCommitted(state: StreamStateRow | undefined, request: PageRequest): PageOutcome | undefined {
  if (!state || state.run_id !== request.runId) {
    throw ApplicationFailure.nonRetryable(
      `stream ${request.stream} of connector ${request.connectorId} is not being synced by run ${request.runId}`,
      SYNC_RUN_SUPERSEDED,
    );
  }
  if (state.page_no >= request.page) {
    if (state.page_no === request.page && state.last_page) return state.last_page;
    throw ApplicationFailure.nonRetryable(`page ${request.page} of ${request.stream} is behind the committed page ${state.page_no}`, SYNC_RUN_SUPERSEDED);
  }
  if (state.page_no !== request.page - 1) {
    throw ApplicationFailure.nonRetryable(`page ${request.page} of ${request.stream} is ahead of the committed page ${state.page_no}`, SYNC_RUN_SUPERSEDED);
  }
  return undefined;
}

async function summarise(trx: Parameters<typeof runStreams>[0], runId: string): Promise<FinishedSyncRun> {
  const rows = await runStreams(trx, runId);
  const streams = Object.fromEntries(rows.map((row) => [row.stream, { ...statsOf(row), status: row.status }]));
  return { streams, totals: sumStats(rows.map(statsOf)) };
}

/** Moves an active run to `status`; false when it was already closed (a retried activity). */
async function closeRun(
  trx: Parameters<typeof runStreams>[0],
  runId: string,
  status: 'failed' | 'cancelled',
  error: { code: string; message: string },
  failedStream: string | null,
): Promise<boolean> {
  const closed = await trx('sync_runs')
    .where({ id: runId })
    .whereIn('status', ['queued', 'running'])
    .update({ status, error: JSON.stringify(error), finished_at: trx.fn.now(), updated_at: trx.fn.now() });
  if (closed === 0) return false;
  await trx.raw(
    `update sync_run_streams
        set status = case when stream = ? then 'failed' when status = 'completed' then 'completed' else 'cancelled' end,
            error = case when stream = ? then ?::jsonb else error end,
            finished_at = coalesce(finished_at, now()), updated_at = now()
      where run_id = ?`,
    [failedStream, failedStream, JSON.stringify(error), runId],
  );
  return true;
}

/**
 * `sync.completed` / `sync.failed` to the event outbox and the audit log, in the run's closing
 * transaction; ids derived from the run, so a retried activity adds neither twice.
 */
async function reportSyncOutcome(
  trx: TenantTransaction,
  run: SyncRunRef & { workflowId: string },
  outcome: 'completed' | 'failed',
  payload: { event: Record<string, unknown>; audit: Record<string, unknown> },
): Promise<void> {
  await emitEvent(trx, { id: uuidFromName(`sync-event:${run.runId}:${outcome}`), tenantId: run.tenantId, type: `sync.${outcome}`, data: payload.event });
  await appendAudit(trx, {
    tenantId: run.tenantId,
    actor: { type: 'system', id: 'sync-engine' },
    action: `sync.${outcome}`,
    target: { type: 'connector', id: run.connectorId },
    details: payload.audit,
    eventKey: `${run.workflowId}/sync.${outcome}`,
  });
}
