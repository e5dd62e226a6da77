import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { errorResponseSchema, errors } from '../errors';
import { defineRoute } from '../http/route';
import { assertJobAccess } from './jobAccess';
import { jobKinds } from './jobKinds';
import { jobSchema, type JobRow, liveJobView } from './jobView';
import { jobIdParams, UUID } from './jobParams';
import { auditActor } from '../auth/auditActor';

export const cancelJob = defineRoute({
  method: 'post',
  path: '/v1/jobs/:id/cancel',
  auth: 'tenant',
  summary: 'Ask a running job to stop at its next batch boundary and clean its partial output; it needs the role and key scopes starting the job needs',
  tags: ['jobs'],
  params: jobIdParams,
  responses: {
    202: { description: 'Cancellation requested', schema: z.object({ job: jobSchema }) },
    403: {
      description: 'The role or key scopes fall short of what the job’s kind needs for its data, as when starting it (FORBIDDEN)',
      schema: errorResponseSchema,
    },
    404: { description: 'No such job for this tenant' },
    409: { description: 'The job already finished (JOB_FINISHED)' },
  },
  async handler({ deps, principal, params, req }) {
    if (!UUID.test(params.id)) throw errors.notFound('Job');
    const [row] = await deps.db.readAsTenant<JobRow>(principal.tenantId, deps.db.knex('jobs').where({ id: params.id }));
    if (!row) throw errors.notFound('Job');
    // Stopping a job is as strong as starting it: a manager must not cancel an admin's restore.
    const kind = jobKinds[row.kind];
    if (kind) {
      const jobParams = kind.params.safeParse(row.params);
      assertJobAccess(principal, jobParams.success ? kind.access(jobParams.data) : { role: 'admin', scopes: ['*:write'] }, `Cancelling this ${row.kind} job`);
    }
    if (!['queued', 'running', 'paused'].includes(row.status)) throw errors.conflict('JOB_FINISHED', `The job is already ${row.status}`);
    await deps.temporal.workflow.getHandle(row.workflow_id, undefined, { firstExecutionRunId: row.run_id ?? undefined }).cancel();
    await deps.db.withTenant(principal.tenantId, (trx) =>
      appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'job.cancel_requested',
        target: { type: 'job', id: row.id },
        details: { kind: row.kind },
      }),
    );
    return { status: 202, body: { job: await liveJobView(row, deps.temporal, deps.config) } };
  },
});
