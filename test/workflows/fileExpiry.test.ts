import { fileExpiry } from '../../workflows/fileExpiry';
import { uniqueSuffix } from '../support/hub';
import { withStubWorker, type StubActivities } from '../support/stubWorker';

/** fileExpiry's paging on stub activities: every tenant once, in id order, across continue-as-new, totals carried over. */
describe('fileExpiry workflow (stub activities)', () => {
  it('goes through every tenant page by page, continuing as new, and adds up what each page removed', async () => {
    const tenantIds = Array.from({ length: 7 }, (_, index) => `tenant-${String(index).padStart(3, '0')}`);
    const stubs = {
      listFileExpiryTenants: async (input: { afterId: string | null; limit: number }) =>
        tenantIds.filter((id) => input.afterId === null || id > input.afterId).slice(0, input.limit),
      expireTenantFiles: async (input: { tenantIds: string[] }) => ({ uploads: input.tenantIds.length, outputs: 1, bytes: 10 * input.tenantIds.length }),
    } as unknown as StubActivities;
    await withStubWorker(stubs, async ({ client, taskQueue, calls }) => {
      const handle = await client.workflow.start(fileExpiry, {
        taskQueue,
        workflowId: `stub-file-expiry-${uniqueSuffix()}`,
        args: [{ pageSize: 2, pagesPerRun: 2 }],
      });
      // Pages of 2: [0,1] [2,3] | continue as new | [4,5] [6] (short page: done).
      expect(await handle.result()).toEqual({ tenants: 7, uploads: 7, outputs: 4, bytes: 70 });
      const expired = calls.filter((call) => call.name === 'expireTenantFiles').flatMap((call) => (call.input as { tenantIds: string[] }).tenantIds);
      expect(expired).toEqual(tenantIds);
      expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    });
  });
});
