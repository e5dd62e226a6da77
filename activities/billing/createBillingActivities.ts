import { type ActivityDeps } from '../deps';
import { createBillingRunActivities } from './createBillingRunActivities';
import { createDunningActivities } from './createDunningActivities';
import { createInvoiceActivities } from './createInvoiceActivities';
import { createStripeEventActivities } from './createStripeEventActivities';

/** Monthly billing: runs, tenant invoices, Stripe events, dunning. */
export function createBillingActivities(deps: Pick<ActivityDeps, 'db' | 'config'>) {
  return {
    ...createBillingRunActivities(deps),
    ...createInvoiceActivities(deps),
    ...createStripeEventActivities(deps),
    ...createDunningActivities(deps),
  };
}
