import { z } from 'zod';
import { SYNC_MODES } from '../../platform/sync/syncModel';
import { resolveConnectorTypeAsTenant } from '../../connectors/connectorTypes';
import { type ConnectorRow } from '../../platform/connectorStore';
import { isUniqueViolation } from '../../platform/db';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';
import { jobSchema } from '../jobs/jobView';
import { actorOf, startJob } from '../jobs/startJob';
import { closeStaleSyncRuns } from './staleRuns';
import { syncWorkflowStart } from './syncWorkflowStart';
import { connectorIdParams } from '../connectors/connectorView';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

const alreadyRunning = () =>
  new ApiError(409, 'SYNC_ALREADY_RUNNING', 'A sync of this connector is already running; wait for it, or cancel it with POST /v1/jobs/:id/cancel');

export const startConnectorSync = defineRoute({
  method: 'post',
  path: '/v1/connectors/:id/syncs',
  auth: 'tenant',
  summary: 'Start a sync of the connector (all or some streams, incremental or full refresh); answers 202 with the sync job',
  tags: ['connectors'],
  params: connectorIdParams,
  body: z
    .strictObject({
      streams: z.array(z.string().min(1).max(200)).min(1).max(100).optional().describe('Streams to sync (default: every stream of the connector)'),
      mode: z
        .enum(SYNC_MODES)
        .default('incremental')
        .describe(
          "incremental: from the stored cursor (each read starts the connector's cursorLookbackSeconds before it); full_refresh: re-read everything, then mark records not seen as deleted; reconcile: the same full read, to repair what cursors missed (its counts are the repairs)",
        ),
    })
    .default({ mode: 'incremental' }),
  responses: {
    202: { description: 'The sync job (kind `sync`); follow it with GET /v1/jobs/:id', schema: z.object({ job: jobSchema }) },
    400: { description: 'A stream the connector does not have (UNKNOWN_STREAM)' },
    404: { description: 'No such connector in this tenant' },
    409: { description: 'A sync of this connector is running (SYNC_ALREADY_RUNNING), or the connector is paused (CONNECTOR_PAUSED)' },
    503: { description: 'Temporal did not accept the start (WORKFLOW_ENGINE_UNAVAILABLE): the sync is recorded failed and does not hold the connector' },
  },
  async handler({ deps, params, body, principal, req }) {
    const [row] = await deps.db.readAsTenant<Pick<ConnectorRow, 'id' | 'type' | 'name' | 'config' | 'status'>>(
      principal.tenantId,
      deps.db.knex('connectors').select('id', 'type', 'name', 'config', 'status').where({ id: params.id }),
    );
    if (!row) throw errors.notFound('Connector');
    if (row.status === 'paused')
      throw errors.conflict('CONNECTOR_PAUSED', 'The connector is paused; resume it (POST /v1/connectors/:id/resume) or replace its credentials first');

    const known = (await resolveConnectorTypeAsTenant(deps.db, principal.tenantId, row.type))?.streams(row.config as never).map((stream) => stream.name) ?? [];
    const streams = body.streams ? [...new Set(body.streams)] : null;
    const unknown = (streams ?? []).map((stream, index) => ({ stream, index })).filter(({ stream }) => !known.includes(stream));
    if (unknown.length > 0) {
      throw errors.badRequest(
        'UNKNOWN_STREAM',
        `Unknown stream(s) ${unknown.map(({ stream }) => stream).join(', ')}; this connector has ${known.join(', ')}`,
        unknown.map(({ index }) => ({ path: `body.streams.${index}`, message: 'not a stream of this connector' })),
      );
    }

    await closeStaleSyncRuns(deps, principal.tenantId);
    const start = syncWorkflowStart(deps.config, principal, row, { mode: body.mode, streams, trigger: 'api', requestedBy: actorOf(principal) });
    const job = await startJob(deps, principal, req, {
      kind: 'sync',
      params: start.input.params as unknown as Record<string, unknown>,
      workflowType: WORKFLOW_TYPES.connectorSync,
      workflowId: (jobId) => workflowIds.syncRun(principal.tenantSlug, row.id, jobId),
      summary: start.summary,
      searchAttributes: start.searchAttributes,
      memo: start.memo,
      input: { trigger: start.input.trigger, options: start.input.options },
      auditDetails: { connectorId: row.id, mode: body.mode, streams: streams ?? known },
      async prepare(trx, job) {
        try {
          await trx.transaction(async (savepoint) => {
            await savepoint('sync_runs').insert({
              id: job.id,
              tenant_id: principal.tenantId,
              connector_id: row.id,
              workflow_id: job.workflowId,
              mode: body.mode,
              trigger: 'api',
              streams: streams ?? known,
              status: 'queued',
            });
          });
        } catch (error) {
          if (isUniqueViolation(error, 'sync_runs_one_active')) throw alreadyRunning();
          throw error;
        }
      },
      // No workflow: the run must not hold the connector ("already running") until it is found stale.
      async abandon(trx, job) {
        await trx('sync_runs')
          .where({ id: job.id, status: 'queued' })
          .update({ status: 'failed', error: JSON.stringify(job.error), finished_at: trx.fn.now(), updated_at: trx.fn.now() });
      },
    });
    return { status: 202, body: { job } };
  },
});
