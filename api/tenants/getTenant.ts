import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { tenantSchema, toTenantView, type TenantRow } from './tenantView';

export const getTenant = defineRoute({
  method: 'get',
  path: '/v1/tenant',
  auth: 'tenant',
  summary: "The caller's tenant: profile, plan, settings and branding",
  tags: ['tenant'],
  allowWhenSuspended: true,
  responses: { 200: { description: 'The tenant', schema: z.object({ tenant: tenantSchema }) } },
  async handler({ deps, principal }) {
    const [row] = await deps.db.readAsTenant<TenantRow>(principal.tenantId, deps.db.knex('tenants').where({ id: principal.tenantId }));
    if (!row) throw errors.notFound('Tenant');
    return { status: 200, body: { tenant: toTenantView(row) } };
  },
});
