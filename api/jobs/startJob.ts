import { randomUUID } from 'node:crypto';
import { type Request } from 'express';
import { appendAudit, type AuditActor } from '../../platform/audit';
import { type TenantTransaction } from '../../platform/db';
import { searchAttributePairs, type HubSearchAttributeName } from '../../platform/temporal/searchAttributes';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { isTemporalUnavailable, withStartDeadline } from '../../platform/temporal/temporalUnavailable';
import { type TenantPrincipal } from '../auth/principal';
import { errors } from '../errors';
import { type ApiDeps } from '../deps';
import { enforceJobLimits } from './jobLimits';
import { type JobRow, type JobView, toJobView } from './jobView';
import { type JobWorkflow, type JobWorkflowType } from '../../workflows/contracts';
import { workflowRouting } from '../../platform/temporal/taskQueues';

export interface StartJobRequest {
  kind: string;
  params: Record<string, unknown>;
  workflowType: JobWorkflowType;
  /** Defaults to `job/<slug>/<kind>/<jobId>`. */
  workflowId?: (jobId: string) => string;
  summary: string;
  /** Extra search attributes (ConnectorType, ConnectorId for syncs). */
  searchAttributes?: Partial<Record<HubSearchAttributeName, string>>;
  memo?: Record<string, unknown>;
  /** Extra workflow input fields next to the standard ones. */
  input?: Record<string, unknown>;
  /** Extra details of the `job.started` audit row. */
  auditDetails?: Record<string, unknown>;
  /**
   * Runs inside the transaction that records the job, before the workflow starts (a sync claims
   * its connector here); throwing refuses the start and records nothing.
   */
  prepare?: (trx: TenantTransaction, job: { id: string; workflowId: string }) => Promise<void>;
  /**
   * Undoes what `prepare` claimed when the workflow could not be started (in the transaction that
   * marks the job failed), so nothing is left waiting for a workflow that does not exist.
   */
  abandon?: (trx: TenantTransaction, job: { id: string; error: { code: string; message: string } }) => Promise<void>;
}

/** The platform admin starting a job of a tenant (a restore into a new tenant slug). */
export interface PlatformJobStarter {
  kind: 'platform_admin';
  tenantId: string;
  tenantSlug: string;
}

/** Who starts a job: a tenant key, or the platform admin on a tenant's behalf. */
export type JobStarter = TenantPrincipal | PlatformJobStarter;

/** Who started something, as jobs and audit rows record it (`api_key:<id>`, or `platform_admin`). */
export function actorOf(starter: JobStarter): string {
  return starter.kind === 'platform_admin' ? 'platform_admin' : `api_key:${starter.keyId}`;
}

function auditActorOf(starter: JobStarter, req: Request): AuditActor {
  const requestId = String(req.id ?? '') || undefined;
  return starter.kind === 'platform_admin'
    ? { type: 'platform_admin', ip: req.ip, requestId }
    : { type: 'api_key', id: starter.keyId, role: starter.role, ip: req.ip, requestId: String(req.id) };
}

/**
 * Starts a job: records it (queued) with an audit row, starts its workflow on the hub task queue
 * with the tenant's search attributes, and answers the job view (202 material). If Temporal
 * refuses the start, or cannot be reached within WORKFLOW_START_DEADLINE_MS (then the answer is 503
 * WORKFLOW_ENGINE_UNAVAILABLE), the job is marked failed in the same request (and `abandon` releases
 * what `prepare` claimed) rather than left queued without a workflow. The tenant's job limits are
 * enforced first (429 JOB_CONCURRENCY_LIMIT / JOB_DAILY_LIMIT, see jobLimits.ts).
 */
export async function startJob(deps: ApiDeps, principal: JobStarter, req: Request, request: StartJobRequest): Promise<JobView> {
  const jobId = randomUUID();
  const workflowId = request.workflowId ? request.workflowId(jobId) : workflowIds.job(principal.tenantSlug, request.kind, jobId);
  const createdBy = actorOf(principal);
  await deps.db.withTenant(principal.tenantId, async (trx) => {
    await enforceJobLimits(trx, principal.tenantId, request.kind, principal.kind === 'tenant' ? principal : undefined);
    await trx('jobs').insert({
      id: jobId,
      tenant_id: principal.tenantId,
      kind: request.kind,
      status: 'queued',
      params: JSON.stringify(request.params),
      workflow_id: workflowId,
      created_by: createdBy,
    });
    // Before the audit row: appending takes the tenant's audit-chain lock, which must come last.
    await request.prepare?.(trx, { id: jobId, workflowId });
    await appendAudit(trx, {
      tenantId: principal.tenantId,
      actor: auditActorOf(principal, req),
      action: 'job.started',
      target: { type: 'job', id: jobId },
      details: { kind: request.kind, workflowId, ...request.auditDetails },
    });
  });

  let runId: string | undefined;
  try {
    const handle = await withStartDeadline(deps.temporal, () =>
      deps.temporal.workflow.start<JobWorkflow>(request.workflowType, {
        workflowId,
        ...workflowRouting(deps.config, request.workflowType, principal.tenantId),
        args: [
          {
            jobId,
            tenantId: principal.tenantId,
            tenantSlug: principal.tenantSlug,
            kind: request.kind,
            params: request.params,
            requestedBy: createdBy,
            ...request.input,
          },
        ],
        typedSearchAttributes: searchAttributePairs({
          TenantId: principal.tenantId,
          TenantSlug: principal.tenantSlug,
          JobKind: request.kind,
          ...request.searchAttributes,
        }),
        memo: request.memo,
        staticSummary: request.summary,
      }),
    );
    runId = handle.firstExecutionRunId;
  } catch (error) {
    const unavailable = isTemporalUnavailable(error);
    const failure = unavailable
      ? { code: 'WORKFLOW_ENGINE_UNAVAILABLE', message: `Temporal could not be reached to start the workflow: ${(error as Error).message}` }
      : { code: 'START_FAILED', message: (error as Error).message };
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      // Only a job still queued: a start that reached Temporal after all may already have run it.
      const marked = await trx('jobs')
        .where({ id: jobId, status: 'queued' })
        .update({ status: 'failed', error: JSON.stringify(failure), finished_at: trx.fn.now(), updated_at: trx.fn.now() });
      if (marked > 0) await request.abandon?.(trx, { id: jobId, error: failure });
    });
    throw unavailable ? errors.workflowEngineUnavailable() : error;
  }
  const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
    await trx('jobs').where({ id: jobId }).update({ run_id: runId });
    return (await trx('jobs').where({ id: jobId }).first()) as JobRow;
  });
  return toJobView(row, deps.config);
}
