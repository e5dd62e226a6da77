import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { jobSchema, type JobRow, liveJobView } from './jobView';
import { jobIdParams, UUID } from './jobParams';

export const getJob = defineRoute({
  method: 'get',
  path: '/v1/jobs/:id',
  auth: 'tenant',
  summary: 'One job with live progress from its workflow',
  tags: ['jobs'],
  params: jobIdParams,
  responses: { 200: { description: 'The job', schema: z.object({ job: jobSchema }) }, 404: { description: 'No such job for this tenant' } },
  async handler({ deps, principal, params }) {
    if (!UUID.test(params.id)) throw errors.notFound('Job');
    const [row] = await deps.db.readAsTenant<JobRow>(principal.tenantId, deps.db.knex('jobs').where({ id: params.id }));
    if (!row) throw errors.notFound('Job');
    return { status: 200, body: { job: await liveJobView(row, deps.temporal, deps.config) } };
  },
});
