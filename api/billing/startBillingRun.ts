import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { billingPeriod, PERIOD_PATTERN, periodOf } from '../../platform/billing/periods';
import { searchAttributePairs } from '../../platform/temporal/searchAttributes';
import { isTemporalUnavailable, withStartDeadline } from '../../platform/temporal/temporalUnavailable';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { type BillingRunRow, toBillingRunView } from './billingRunView';
import { type ApiDeps } from '../deps';
import { ApiError, errorResponseSchema, errors } from '../errors';
import { defineRoute } from '../http/route';
import { jobSchema } from '../jobs/jobView';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import { type monthlyBilling } from '../../workflows/monthlyBilling';
import { workflowRouting } from '../../platform/temporal/taskQueues';

export const startBillingRun = defineRoute({
  method: 'post',
  path: '/v1/admin/billing/runs',
  auth: 'admin',
  summary: 'Bill every active tenant for a month (platform admin): the monthlyBilling workflow, one invoice per tenant',
  tags: ['admin', 'billing'],
  body: z.strictObject({
    period: z.string().regex(PERIOD_PATTERN, 'must be a month, YYYY-MM').describe('The month to bill (UTC), e.g. 2026-11'),
    tenants: z
      .array(z.string().min(1).max(48))
      .min(1)
      .max(1_000)
      .optional()
      .describe('Only these tenants (slugs), e.g. to bill again the ones a run reported failed; default: every active tenant'),
    force: z
      .boolean()
      .optional()
      .describe(
        "Bill the current month before it has ended (the platform admin's override, audited on every tenant billed): usage after the run is never billed for that month",
      ),
  }),
  responses: {
    202: { description: 'The run started; follow it with GET /v1/admin/billing/runs/:id', schema: z.object({ job: jobSchema }) },
    400: {
      description:
        '`PERIOD_IN_FUTURE`: a period that has not begun; `PERIOD_NOT_ENDED`: the current month, which has not ended (send `force: true` to bill it anyway); `VALIDATION_FAILED`: a malformed body',
      schema: errorResponseSchema,
    },
    409: { description: 'A run of this period is still going' },
    503: { description: 'Temporal did not accept the start (WORKFLOW_ENGINE_UNAVAILABLE): the run is recorded failed, no workflow runs' },
  },
  async handler({ deps, body, req }) {
    const now = new Date();
    if (body.period > periodOf(now))
      throw errors.badRequest('PERIOD_IN_FUTURE', `${body.period} has not begun yet`, [
        { path: 'body.period', message: 'must not be after the current month' },
      ]);
    const { end } = billingPeriod(body.period);
    const forced = end > now;
    if (forced && body.force !== true)
      throw errors.badRequest('PERIOD_NOT_ENDED', `${body.period} ends at ${end.toISOString()}: billing it now would leave the rest of its usage unbilled`, [
        { path: 'body.period', message: 'must have ended; send force: true to bill it anyway' },
      ]);
    const id = randomUUID();
    const workflowId = workflowIds.billingRun(body.period, body.tenants);
    await deps.db.withPlatform((trx) =>
      trx('billing_runs').insert({
        id,
        period: body.period,
        tenants: body.tenants ?? null,
        status: 'queued',
        workflow_id: workflowId,
        requested_by: 'platform_admin',
        forced,
      }),
    );
    if (forced) await auditForcedRun(deps, { billingRunId: id, period: body.period, periodEnd: end, tenants: body.tenants, req });
    try {
      const handle = await withStartDeadline(deps.temporal, () =>
        deps.temporal.workflow.start<typeof monthlyBilling>(WORKFLOW_TYPES.monthlyBilling, {
          workflowId,
          ...workflowRouting(deps.config, WORKFLOW_TYPES.monthlyBilling),
          args: [{ period: body.period, billingRunId: id, requestedBy: 'platform_admin', concurrency: deps.config.BILLING_CONCURRENCY, tenants: body.tenants }],
          typedSearchAttributes: searchAttributePairs({ JobKind: 'billing' }),
          // The same period may be billed again (it invoices nobody twice), but not while a run of it goes on.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
          staticSummary: `Monthly billing of ${body.period}`,
        }),
      );
      const row = await deps.db.withPlatform(async (trx) => {
        await trx('billing_runs').where({ id }).update({ run_id: handle.firstExecutionRunId });
        return (await trx('billing_runs').where({ id }).first()) as BillingRunRow;
      });
      return { status: 202, body: { job: toBillingRunView(row, deps.config) } };
    } catch (error) {
      const running = error instanceof WorkflowExecutionAlreadyStartedError;
      const unavailable = isTemporalUnavailable(error);
      const code = running ? 'BILLING_RUN_IN_PROGRESS' : unavailable ? 'WORKFLOW_ENGINE_UNAVAILABLE' : 'START_FAILED';
      // Only a run still queued: a start that reached Temporal after all may already have begun it.
      await deps.db.withPlatform((trx) =>
        trx('billing_runs')
          .where({ id, status: 'queued' })
          .update({ status: 'failed', error: JSON.stringify({ code, message: (error as Error).message }), finished_at: trx.fn.now() }),
      );
      if (running) throw new ApiError(409, 'BILLING_RUN_IN_PROGRESS', `A billing run of ${body.period} is still going (workflow ${workflowId})`);
      if (unavailable) throw errors.workflowEngineUnavailable();
      throw error;
    }
  },
});

/**
 * A run of a month that has not ended is recorded in the audit log of every tenant it may bill
 * (its `tenants`, else every active tenant), before the run starts: who forced it, from where.
 */
async function auditForcedRun(
  deps: Pick<ApiDeps, 'db'>,
  run: { billingRunId: string; period: string; periodEnd: Date; tenants: string[] | undefined; req: { ip?: string; id?: unknown } },
): Promise<void> {
  const targets = (await deps.db.withPlatform((trx) =>
    trx('tenants')
      .where({ status: 'active' })
      .modify((query) => (run.tenants ? query.whereIn('slug', run.tenants) : query))
      .select('id'),
  )) as Array<{ id: string }>;
  const actor = { type: 'platform_admin' as const, ip: run.req.ip, requestId: String(run.req.id ?? '') || undefined };
  for (const tenant of targets) {
    await deps.db.withTenant(tenant.id, (trx) =>
      appendAudit(trx, {
        tenantId: tenant.id,
        actor,
        action: 'billing_run.forced',
        target: { type: 'billing_run', id: run.billingRunId },
        details: { period: run.period, periodEnd: run.periodEnd.toISOString(), reason: 'period_not_ended' },
        eventKey: `billing_run:${run.billingRunId}:forced`,
      }),
    );
  }
}
