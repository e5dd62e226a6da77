import { z } from 'zod';
import { PERIOD_PATTERN } from '../../platform/billing/periods';
import { type BillingRunRow, toBillingRunView } from './billingRunView';
import { defineRoute } from '../http/route';
import { MAX_PAGE_SIZE, pageOf, pagination } from '../http/pagination';
import { jobSchema } from '../jobs/jobView';

export const listBillingRuns = defineRoute({
  method: 'get',
  path: '/v1/admin/billing/runs',
  auth: 'admin',
  summary: 'Billing runs, newest first, optionally of one period (platform admin)',
  tags: ['admin', 'billing'],
  query: z.strictObject({
    period: z.string().regex(PERIOD_PATTERN, 'must be a month, YYYY-MM').optional(),
    page: z.coerce.number().int().min(1).default(1),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .default(25)
      .transform((value) => Math.min(value, MAX_PAGE_SIZE)),
  }),
  responses: { 200: { description: 'A page of runs', schema: pageOf(jobSchema) } },
  async handler({ deps, query }) {
    const { rows, total } = await deps.db.withPlatform(async (trx) => {
      const filtered = () => trx('billing_runs').modify((builder) => (query.period ? builder.where({ period: query.period }) : builder));
      const counted = (await filtered().count({ count: '*' }).first()) as { count: string };
      const page = (await filtered()
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)) as BillingRunRow[];
      return { rows: page, total: Number(counted.count) };
    });
    return { status: 200, body: { data: rows.map((row) => toBillingRunView(row, deps.config)), pagination: pagination(query.page, query.limit, total) } };
  },
});
