import { type Knex } from 'knex';
import { billingPeriod } from '../../platform/billing/periods';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { type ActivityDeps } from '../deps';
import { type BillingRunProgress } from '../../workflows/contracts';

/** A tenant a billing run invoices. */
export interface BillableTenant {
  id: string;
  slug: string;
  /** `billing/<slug>/<period>`: the tenantInvoice child's id. */
  workflowId: string;
}

export type { BillingRunProgress };

/**
 * Billing runs are platform-level (not one tenant's): their rows live in `billing_runs`, readable
 * only in platform scope, and the activities page through the tenant directory.
 */
export function createBillingRunActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** Marks the run running (a scheduled run records its row here; an API run's row exists). Idempotent. */
    async openBillingRun(input: { billingRunId: string; period: string; workflowId: string; runId: string; requestedBy: string }): Promise<void> {
      await db.withPlatform((trx) =>
        trx('billing_runs')
          .insert({
            id: input.billingRunId,
            period: input.period,
            status: 'running',
            workflow_id: input.workflowId,
            run_id: input.runId,
            requested_by: input.requestedBy,
            started_at: trx.fn.now(),
          })
          .onConflict('id')
          .merge({
            status: trx.raw(`case when billing_runs.status = 'queued' then 'running' else billing_runs.status end`),
            started_at: trx.raw('coalesce(billing_runs.started_at, now())'),
            updated_at: trx.fn.now(),
          }),
      );
    },

    /** Active tenants that existed before the period ended (of `tenants`, when given): how many a run will invoice. */
    async countBillableTenants(input: { period: string; tenants?: string[] }): Promise<number> {
      const { end } = billingPeriod(input.period);
      const row = await db.withPlatform((trx) => billable(trx('tenants'), end, input.tenants).count({ count: '*' }).first());
      return Number((row as { count: string }).count);
    },

    /** The next page of billable tenants by id (keyset paging: tenants created meanwhile cannot shift pages). */
    async listBillableTenants(input: { period: string; afterId: string | null; limit: number; tenants?: string[] }): Promise<BillableTenant[]> {
      const { end } = billingPeriod(input.period);
      const rows: Array<{ id: string; slug: string }> = await db.withPlatform((trx) =>
        billable(trx('tenants'), end, input.tenants)
          .modify((query) => (input.afterId ? query.where('id', '>', input.afterId) : query))
          .orderBy('id')
          .limit(input.limit)
          .select('id', 'slug'),
      );
      return rows.map((row) => ({ ...row, workflowId: workflowIds.billing(row.slug, input.period) }));
    },

    async recordBillingRunProgress(input: { billingRunId: string; progress: BillingRunProgress }): Promise<void> {
      await db.withPlatform((trx) =>
        trx('billing_runs')
          .where({ id: input.billingRunId })
          .update({ progress: JSON.stringify(input.progress), updated_at: trx.fn.now() }),
      );
    },

    /** Records how the run ended; `result` when it went through every tenant (failed ones included). */
    async closeBillingRun(input: {
      billingRunId: string;
      status: 'completed' | 'completed_with_errors' | 'failed' | 'cancelled';
      progress: BillingRunProgress;
      result?: BillingRunProgress;
      error?: { code: string; message: string };
    }): Promise<void> {
      await db.withPlatform((trx) =>
        trx('billing_runs')
          .where({ id: input.billingRunId })
          .update({
            status: input.status,
            progress: JSON.stringify(input.progress),
            result: input.result ? JSON.stringify(input.result) : input.status === 'completed' ? JSON.stringify(input.progress) : null,
            error: input.error ? JSON.stringify(input.error) : null,
            finished_at: trx.raw('coalesce(finished_at, now())'),
            updated_at: trx.fn.now(),
          }),
      );
    },
  };
}

/** Active tenants created before the period's end, optionally only the named ones. */
function billable(query: Knex.QueryBuilder, periodEnd: Date, slugs: string[] | undefined): Knex.QueryBuilder {
  query.where({ status: 'active' }).where('created_at', '<', periodEnd);
  if (slugs) query.whereIn('slug', slugs);
  return query;
}
