import { ApplicationFailure } from '@temporalio/common';
import { monthlyBilling } from '../../workflows/monthlyBilling';
import { uniqueSuffix } from '../support/hub';
import { withStubWorker, type StubActivities, type StubCall } from '../support/stubWorker';

/**
 * monthlyBilling's orchestration on stub activities: one tenantInvoice child per tenant (the
 * real child workflow, on stub invoice activities), pages of tenants across continue-as-new, and
 * failing tenants counted and named without stopping the run.
 */
function billingStubs(slugs: string[], failing: Set<string>, existing: Set<string>): StubActivities {
  const suffix = uniqueSuffix();
  const tenants = slugs.map((slug, index) => ({ id: `tenant-${String(index).padStart(3, '0')}`, slug, workflowId: `stub-billing/${slug}/${suffix}` }));
  const slugOf = (tenantId: string) => tenants.find((tenant) => tenant.id === tenantId)!.slug;
  return {
    openBillingRun: async () => undefined,
    countBillableTenants: async () => tenants.length,
    listBillableTenants: async (input) => tenants.filter((tenant) => input.afterId === null || tenant.id > input.afterId).slice(0, input.limit),
    recordBillingRunProgress: async () => undefined,
    closeBillingRun: async () => undefined,
    prepareInvoice: async (input) => {
      const slug = slugOf(input.tenantId);
      if (failing.has(slug)) throw ApplicationFailure.nonRetryable(`no plan for ${slug}`, 'TenantNotBillable');
      return { invoiceId: `inv-${slug}`, status: existing.has(slug) ? 'open' : 'draft', totalCents: 1_000 };
    },
    ensureStripeCustomer: async () => undefined,
    createStripeInvoice: async () => undefined,
    addStripeInvoiceLines: async () => undefined,
    finalizeStripeInvoice: async (input) => ({ invoiceId: input.invoiceId, status: 'open', totalCents: 2_500 }),
  } as StubActivities;
}

const closedAs = (calls: StubCall[]) =>
  calls.filter((call) => call.name === 'closeBillingRun').map((call) => call.input as { status: string; error?: { code: string; message: string } });

describe('monthlyBilling workflow (stub activities)', () => {
  it('starts one invoice child per tenant across pages and runs, and collects the failing tenants without stopping', async () => {
    const slugs = ['a', 'b', 'c', 'd', 'e'];
    await withStubWorker(billingStubs(slugs, new Set(['b', 'e']), new Set(['d'])), async ({ client, taskQueue, calls }) => {
      const handle = await client.workflow.start(monthlyBilling, {
        taskQueue,
        workflowId: `stub-billing-${uniqueSuffix()}`,
        args: [{ period: '2026-11', billingRunId: 'run-1', concurrency: 2, tenantsPerRun: 2 }],
      });
      const progress = await handle.result();
      expect(progress).toMatchObject({ phase: 'completed', total: 5, done: 5, invoiced: 2, alreadyInvoiced: 1, failed: 2, invoicedCents: 5_000 });
      expect(progress.failures).toEqual([
        { tenantSlug: 'b', message: 'no plan for b' },
        { tenantSlug: 'e', message: 'no plan for e' },
      ]);
      // Each tenant's invoice was prepared exactly once (one child each).
      const prepared = calls.filter((call) => call.name === 'prepareInvoice').map((call) => (call.input as { tenantId: string }).tenantId);
      expect(prepared.sort()).toEqual(['tenant-000', 'tenant-001', 'tenant-002', 'tenant-003', 'tenant-004']);
      expect(calls.filter((call) => call.name === 'finalizeStripeInvoice')).toHaveLength(2);
      // Two tenants per run: the run continued as new twice (opened once, closed once).
      expect(calls.filter((call) => call.name === 'openBillingRun')).toHaveLength(1);
      expect(closedAs(calls)).toEqual([
        expect.objectContaining({
          status: 'completed_with_errors',
          error: { code: 'ITEMS_FAILED', message: '2 of 5 tenants failed: b: no plan for b; e: no plan for e' },
        }),
      ]);
      const description = await handle.describe();
      expect(description.runId).not.toBe(handle.firstExecutionRunId);
    });
  });

  it('closes a run whose every tenant failed as failed, naming a few of them, and fails the workflow', async () => {
    const slugs = ['a', 'b', 'c', 'd', 'e'];
    await withStubWorker(billingStubs(slugs, new Set(slugs), new Set()), async ({ client, taskQueue, calls }) => {
      const handle = await client.workflow.start(monthlyBilling, {
        taskQueue,
        workflowId: `stub-billing-${uniqueSuffix()}`,
        args: [{ period: '2026-11', billingRunId: 'run-2', concurrency: 1 }],
      });
      await expect(handle.result()).rejects.toThrow();
      const description = await handle.describe();
      expect(description.status.name).toBe('FAILED');
      const message = '5 of 5 tenants failed: a: no plan for a; b: no plan for b; c: no plan for c; and 2 more';
      expect(closedAs(calls)).toEqual([
        expect.objectContaining({
          status: 'failed',
          error: { code: 'ITEMS_FAILED', message },
          result: expect.objectContaining({ phase: 'failed', total: 5, done: 5, failed: 5 }),
        }),
      ]);
    });
  });

  it('a run with nothing to bill completes', async () => {
    await withStubWorker(billingStubs([], new Set(), new Set()), async ({ client, taskQueue, calls }) => {
      const progress = await client.workflow.execute(monthlyBilling, {
        taskQueue,
        workflowId: `stub-billing-${uniqueSuffix()}`,
        args: [{ period: '2026-11' }],
      });
      expect(progress).toMatchObject({ phase: 'completed', total: 0, done: 0 });
      expect(closedAs(calls)).toEqual([expect.objectContaining({ status: 'completed' })]);
      expect(closedAs(calls)[0]!.error).toBeUndefined();
    });
  });

  it('refuses a malformed period before opening a run', async () => {
    await withStubWorker(billingStubs(['a'], new Set(), new Set()), async ({ client, taskQueue, calls }) => {
      await expect(
        client.workflow.execute(monthlyBilling, { taskQueue, workflowId: `stub-billing-${uniqueSuffix()}`, args: [{ period: '2026-13' }] }),
      ).rejects.toThrow();
      expect(calls).toEqual([]);
    });
  });
});
