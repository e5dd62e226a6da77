import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ContinueAsNew,
  continueAsNew,
  executeChild,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { BillableTenant } from '../activities/billing/createBillingRunActivities';
import {
  billingProgressQuery,
  BILLING_PERIOD_INVALID,
  JobKind,
  ScheduledStartTime,
  TenantId,
  TenantSlug,
  type BillingRunProgress,
  type MonthlyBillingInput,
} from './contracts';
import { itemOutcome } from './jobs/itemOutcome';
import { tenantInvoice } from './tenantInvoice';

export type { MonthlyBillingInput };

/** Tenants read per page (one activity), and tenants handled before the run continues as new. */
const PAGE_SIZE = 100;
const TENANTS_PER_RUN = 500;
const FAILURES_KEPT = 50;

const { openBillingRun, countBillableTenants, listBillableTenants, recordBillingRunProgress, closeBillingRun } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 50 },
});

/**
 * Monthly billing (a Temporal Schedule on the 1st of each month, or `POST /v1/admin/billing/runs`):
 * one `tenantInvoice` child per active tenant, at most `concurrency` at once, paging through
 * tenants by id; after 500 tenants it continues as new so thousands of tenants never approach the
 * history limits. A failing tenant does not stop the run: it is counted and named in the result,
 * and the run ends `completed_with_errors` (every tenant failed: `failed`, and so does the
 * workflow) with an error that says how many failed and why.
 */
export async function monthlyBilling(input: MonthlyBillingInput): Promise<BillingRunProgress> {
  const info = workflowInfo();
  const period = input.period ?? monthBefore(info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period))
    throw ApplicationFailure.create({ type: BILLING_PERIOD_INVALID, message: `not a billing period (YYYY-MM): ${period}`, nonRetryable: true });
  const billingRunId = input.billingRunId ?? uuid4();
  const requestedBy = input.requestedBy ?? 'schedule';
  const concurrency = Math.max(1, input.concurrency ?? 20);
  const tenantsPerRun = Math.max(1, input.tenantsPerRun ?? TENANTS_PER_RUN);
  const pageSize = Math.min(PAGE_SIZE, tenantsPerRun);
  const progress: BillingRunProgress = input.carry?.progress ?? {
    phase: 'starting',
    done: 0,
    total: null,
    invoiced: 0,
    alreadyInvoiced: 0,
    inProgressElsewhere: 0,
    failed: 0,
    failures: [],
    invoicedCents: 0,
  };
  setHandler(billingProgressQuery, () => ({ ...progress, billingRunId, period }));

  let afterTenantId = input.carry?.afterTenantId ?? null;
  try {
    if (!input.carry) {
      await openBillingRun({ billingRunId, period, workflowId: info.workflowId, runId: info.runId, requestedBy });
      progress.total = await countBillableTenants({ period, tenants: input.tenants });
    }
    progress.phase = 'invoicing';
    let handledInThisRun = 0;
    for (;;) {
      const page = await listBillableTenants({ period, afterId: afterTenantId, limit: pageSize, tenants: input.tenants });
      await inParallel(page, concurrency, (tenant) => invoiceTenant(tenant, period, billingRunId, progress));
      if (page.length > 0) {
        afterTenantId = page.at(-1)!.id;
        handledInThisRun += page.length;
        await recordBillingRunProgress({ billingRunId, progress });
      }
      if (page.length < pageSize) break;
      if (handledInThisRun >= tenantsPerRun || workflowInfo().continueAsNewSuggested) {
        return await continueAsNew<typeof monthlyBilling>({ ...input, period, billingRunId, requestedBy, concurrency, carry: { afterTenantId, progress } });
      }
    }
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    progress.phase = 'failed';
    await closeBillingRun({
      billingRunId,
      status: 'failed',
      progress,
      error: { code: 'BILLING_RUN_FAILED', message: error instanceof Error ? error.message : String(error) },
    });
    throw error;
  }
  const outcome = itemOutcome({
    total: progress.done,
    failed: progress.failed,
    noun: 'tenants',
    examples: progress.failures.map((failure) => `${failure.tenantSlug}: ${failure.message}`),
  });
  progress.phase = outcome.status === 'failed' ? 'failed' : 'completed';
  await closeBillingRun({ billingRunId, status: outcome.status, progress, result: progress, error: outcome.error });
  if (outcome.error) {
    log.warn('billing run finished with failed tenants', { billingRunId, period, status: outcome.status, reason: outcome.error.message });
  }
  if (outcome.status === 'failed') throw ApplicationFailure.create({ type: outcome.error!.code, message: outcome.error!.message, nonRetryable: true });
  return progress;
}

async function invoiceTenant(tenant: BillableTenant, period: string, billingRunId: string, progress: BillingRunProgress): Promise<void> {
  try {
    const result = await executeChild(tenantInvoice, {
      workflowId: tenant.workflowId,
      args: [{ tenantId: tenant.id, tenantSlug: tenant.slug, period, billingRunId }],
      typedSearchAttributes: [
        { key: TenantId, value: tenant.id },
        { key: TenantSlug, value: tenant.slug },
        { key: JobKind, value: 'billing' },
      ],
      // A finished invoice workflow of an earlier run may run again (it finds the invoice and stops).
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `Invoice ${tenant.slug} for ${period}`,
    });
    if (result.outcome === 'created') {
      progress.invoiced += 1;
      progress.invoicedCents += result.totalCents;
    } else {
      progress.alreadyInvoiced += 1;
    }
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      progress.inProgressElsewhere += 1;
    } else {
      progress.failed += 1;
      if (progress.failures.length < FAILURES_KEPT) progress.failures.push({ tenantSlug: tenant.slug, message: innermostMessage(error) });
    }
  } finally {
    progress.done += 1;
  }
}

/** Runs `work` over `items` with at most `limit` at a time (deterministic: workflow code). */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** `2026-11` for any instant in December 2026 (UTC). */
function monthBefore(at: Date): string {
  const month = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1));
  return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause) current = current.cause;
  return current instanceof Error ? current.message : String(error);
}
