import { z } from 'zod';
import { errorResponseSchema, errors } from '../errors';
import { defineRoute } from '../http/route';
import { jobKinds } from '../jobs/jobKinds';
import { jobSchema } from '../jobs/jobView';
import { startJob } from '../jobs/startJob';

const body = z.strictObject({
  backupId: z.uuid().describe('A backup of this tenant (a backup job’s id)'),
  targetTenantSlug: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, 'lowercase letters, digits and dashes, 1-48 characters, no leading or trailing dash')
    .describe('The slug of the tenant the restore creates'),
});

/**
 * A platform admin restores a tenant's backup into a new tenant: a `restore` job of the source
 * tenant that creates the target tenant. Creating tenants is the platform admin's alone, so a
 * tenant key (even an admin one) may only restore in place (`POST /v1/jobs`). The new tenant has no
 * keys (keys are never restored): `POST /v1/admin/tenants/:id/api-keys` issues its first.
 */
export const createTenantRestore = defineRoute({
  method: 'post',
  path: '/v1/admin/tenants/:id/restores',
  auth: 'admin',
  summary: 'Restore a backup of a tenant into a new tenant slug (platform admin); answers 202 with the restore job of the source tenant',
  tags: ['admin'],
  params: z.strictObject({ id: z.uuid() }),
  body,
  responses: {
    202: { description: 'The restore job was started; follow it in the source tenant’s jobs', schema: z.object({ job: jobSchema }) },
    404: { description: 'No such tenant, or no such backup of it', schema: errorResponseSchema },
    409: { description: 'The target slug is taken (TENANT_SLUG_TAKEN)', schema: errorResponseSchema },
    429: { description: 'A tenant job limit is reached (JOB_CONCURRENCY_LIMIT, JOB_DAILY_LIMIT); see Retry-After', schema: errorResponseSchema },
  },
  async handler({ deps, params, body, req }) {
    const tenant = (await deps.db.withPlatform((trx) => trx('tenants').where({ id: params.id }).first('id', 'slug'))) as
      { id: string; slug: string } | undefined;
    if (!tenant) throw errors.notFound('Tenant');
    const backup = await deps.db.withTenant(tenant.id, (trx) => trx('backups').where({ id: body.backupId }).first('id'));
    if (!backup) throw errors.notFound('Backup');
    const taken = await deps.db.withPlatform((trx) => trx('tenants').where({ slug: body.targetTenantSlug }).first('id'));
    if (taken) throw errors.conflict('TENANT_SLUG_TAKEN', `A tenant with slug "${body.targetTenantSlug}" already exists`);

    const kind = jobKinds.restore!;
    const jobParams = kind.params.parse(body) as Record<string, unknown>;
    const job = await startJob(deps, { kind: 'platform_admin', tenantId: tenant.id, tenantSlug: tenant.slug }, req, {
      kind: kind.kind,
      params: jobParams,
      workflowType: kind.workflowType,
      summary: kind.summary(jobParams),
      auditDetails: { targetTenantSlug: body.targetTenantSlug },
    });
    return { status: 202, body: { job } };
  },
});
