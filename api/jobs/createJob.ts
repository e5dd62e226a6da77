import { z } from 'zod';
import { errorResponseSchema, errors, zodDetails } from '../errors';
import { defineRoute } from '../http/route';
import { refuseJobWhenStorageFull } from '../limits/storageLimit';
import { assertJobAccess } from './jobAccess';
import { jobKinds } from './jobKinds';
import { jobSchema } from './jobView';
import { startJob } from './startJob';

export const createJob = defineRoute({
  method: 'post',
  path: '/v1/jobs',
  auth: 'tenant',
  summary: 'Start a bulk job (export, …); answers 202 with the job. Each kind needs the role and key scopes of the data it reads or writes (see `kind`)',
  tags: ['jobs'],
  body: z.strictObject({ kind: z.string().min(1).max(50), params: z.record(z.string(), z.unknown()).default({}) }),
  // Each kind's parameters, with their bounds (e.g. batch_scan itemsPerChunk 10–500), as the handler checks them.
  documentedBody: z.discriminatedUnion(
    'kind',
    Object.values(jobKinds).map((kind) =>
      z.strictObject({
        kind: z.literal(kind.kind).describe(`Who may start it (and download its output): ${kind.accessNote}`),
        params: kind.params.safeParse({}).success ? kind.params.optional() : kind.params,
      }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  ),
  responses: {
    202: { description: 'The job was started', schema: z.object({ job: jobSchema }) },
    403: {
      description: 'The role or key scopes fall short of what the job kind needs for its data (FORBIDDEN), or the tenant is suspended',
      schema: errorResponseSchema,
    },
    413: {
      description:
        "Request body too large (PAYLOAD_TOO_LARGE), or an export while the tenant's files already take its plan's storage quota (STORAGE_QUOTA_EXCEEDED)",
      schema: errorResponseSchema,
    },
    429: { description: 'A tenant job limit is reached (JOB_CONCURRENCY_LIMIT, JOB_DAILY_LIMIT); see Retry-After' },
    503: { description: 'Temporal did not accept the start (WORKFLOW_ENGINE_UNAVAILABLE): the job is recorded failed, no workflow runs' },
  },
  async handler({ deps, principal, body, req }) {
    const kind = jobKinds[body.kind];
    if (!kind) {
      throw errors.badRequest('UNKNOWN_JOB_KIND', `Unknown job kind "${body.kind}"; known: ${Object.keys(jobKinds).join(', ')}`, [
        { path: 'body.kind', message: 'unknown job kind' },
      ]);
    }
    const params = kind.params.safeParse(body.params);
    if (!params.success) throw errors.validation(zodDetails(params.error, 'body.params'));
    assertJobAccess(principal, kind.access(params.data), `Starting this ${body.kind} job`);
    if (kind.storesOutput) await refuseJobWhenStorageFull(deps.db, principal, kind.kind);
    const job = await startJob(deps, principal, req, {
      kind: kind.kind,
      params: params.data as Record<string, unknown>,
      workflowType: kind.workflowType,
      summary: kind.summary(params.data),
    });
    return { status: 202, body: { job } };
  },
});
