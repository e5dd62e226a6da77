import { z } from 'zod';
import { type BillingRunRow, liveBillingRunView } from './billingRunView';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { jobSchema } from '../jobs/jobView';
import { UUID } from '../jobs/jobParams';

export const getBillingRun = defineRoute({
  method: 'get',
  path: '/v1/admin/billing/runs/:id',
  auth: 'admin',
  summary: 'One billing run with its progress (tenants invoiced, already invoiced, failed) (platform admin)',
  tags: ['admin', 'billing'],
  params: z.strictObject({ id: z.string() }),
  responses: { 200: { description: 'The run', schema: z.object({ job: jobSchema }) }, 404: { description: 'No such run' } },
  async handler({ deps, params }) {
    if (!UUID.test(params.id)) throw errors.notFound('Billing run');
    const row = (await deps.db.withPlatform((trx) => trx('billing_runs').where({ id: params.id }).first())) as BillingRunRow | undefined;
    if (!row) throw errors.notFound('Billing run');
    return { status: 200, body: { job: await liveBillingRunView(row, deps.temporal, deps.config) } };
  },
});
