import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import { type FileExpiryInput, type FileExpiryResult } from './contracts';

export type { FileExpiryInput, FileExpiryResult };

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_PAGES_PER_RUN = 50;

const { listFileExpiryTenants } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

const { expireTenantFiles } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * What the file-expiry schedule starts (`file-expiry/scheduled`): goes through every tenant by id,
 * a page per activity, deleting expired uploads and expiring expired job outputs, which frees
 * their bytes from the storage quota. Continues as new after `pagesPerRun` pages so thousands of
 * tenants never approach the history limits. Nothing is lost if a run stops: the next one finds
 * what is still expired.
 */
export async function fileExpiry(input: FileExpiryInput = {}): Promise<FileExpiryResult> {
  const pageSize = Math.max(1, input.pageSize ?? DEFAULT_PAGE_SIZE);
  const pagesPerRun = Math.max(1, input.pagesPerRun ?? DEFAULT_PAGES_PER_RUN);
  const totals: FileExpiryResult = input.carry?.totals ?? { tenants: 0, uploads: 0, outputs: 0, bytes: 0 };
  let afterId: string | null = input.carry?.afterTenantId ?? null;
  for (let page = 0; page < pagesPerRun; page += 1) {
    const tenantIds = await listFileExpiryTenants({ afterId, limit: pageSize });
    if (tenantIds.length === 0) return totals;
    const removed = await expireTenantFiles({ tenantIds });
    totals.tenants += tenantIds.length;
    totals.uploads += removed.uploads;
    totals.outputs += removed.outputs;
    totals.bytes += removed.bytes;
    if (tenantIds.length < pageSize) return totals;
    afterId = tenantIds.at(-1)!;
  }
  return continueAsNew<typeof fileExpiry>({ ...input, carry: { afterTenantId: afterId!, totals } });
}
