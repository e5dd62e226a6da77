import { z } from 'zod';
import { defineRoute } from '../http/route';
import { MAX_PAGE_SIZE, pageOf, pagination } from '../http/pagination';
import { JOB_STATUSES, jobSchema, type JobRow, toJobView } from './jobView';

export const listJobs = defineRoute({
  method: 'get',
  path: '/v1/jobs',
  auth: 'tenant',
  summary: "The tenant's jobs, newest first, filterable by kind and status",
  tags: ['jobs'],
  query: z.strictObject({
    kind: z.string().max(50).optional(),
    status: z.enum(JOB_STATUSES).optional(),
    page: z.coerce.number().int().min(1).default(1),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .default(25)
      .transform((value) => Math.min(value, MAX_PAGE_SIZE)),
  }),
  responses: { 200: { description: 'A page of jobs', schema: pageOf(jobSchema) } },
  async handler({ deps, principal, query }) {
    const filtered = () => {
      const builder = deps.db.knex('jobs');
      if (query.kind) builder.where({ kind: query.kind });
      if (query.status) builder.where({ status: query.status });
      return builder;
    };
    const [rows, counted] = await Promise.all([
      deps.db.readAsTenant<JobRow>(
        principal.tenantId,
        filtered()
          .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
          .limit(query.limit)
          .offset((query.page - 1) * query.limit),
      ),
      deps.db.readAsTenant<{ count: string }>(principal.tenantId, filtered().count({ count: '*' })),
    ]);
    return {
      status: 200,
      body: { data: rows.map((row) => toJobView(row, deps.config)), pagination: pagination(query.page, query.limit, Number(counted[0]?.count ?? 0)) },
    };
  },
});
