import { ITEMS_FAILED } from '../contracts/failureTypes';

/** Examples of failed items an error message names before it says how many more there were. */
const EXAMPLES_NAMED = 3;

/** How a job's items went: `failed` of `total` (rows, tenants, items), with a few reasons. */
export interface ItemCounts {
  total: number;
  failed: number;
  /** Plural noun of the items, e.g. `rows`, `tenants`, `items`. */
  noun: string;
  /** The first failures, e.g. `line 3 email: not an email`; the message names a few of them. */
  examples: string[];
}

export type FinishedStatus = 'completed' | 'completed_with_errors' | 'failed';

export interface ItemOutcome {
  status: FinishedStatus;
  error?: { code: string; message: string };
}

/**
 * The status a finished job or run reports for its items: `completed` when none failed,
 * `failed` when every one did, `completed_with_errors` otherwise; the error summarises, e.g.
 * `3 of 3 tenants failed: acme: no plan; …`. Pure (runs in workflows).
 */
export function itemOutcome(counts: ItemCounts | undefined): ItemOutcome {
  if (!counts || counts.failed <= 0) return { status: 'completed' };
  const named = counts.examples.slice(0, EXAMPLES_NAMED);
  const more = counts.failed - named.length;
  const reasons = named.length > 0 ? `: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}` : '';
  return {
    status: counts.failed >= counts.total ? 'failed' : 'completed_with_errors',
    error: { code: ITEMS_FAILED, message: `${counts.failed} of ${counts.total} ${counts.noun} failed${reasons}` },
  };
}
