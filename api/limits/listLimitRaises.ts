import { z } from 'zod';
import { type LimitRaiseRow } from '../../platform/limits/limitRaises';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { limitRaiseSchema, tenantRaiseParams, toLimitRaiseView } from './limitRaiseView';

export const listLimitRaises = defineRoute({
  method: 'get',
  path: '/v1/admin/tenants/:id/limit-raises',
  auth: 'admin',
  summary: "A tenant's scheduled, active and past limit raises, newest first (platform admin)",
  tags: ['admin'],
  params: tenantRaiseParams,
  responses: {
    200: { description: 'The raises (the latest 200)', schema: z.object({ data: z.array(limitRaiseSchema) }) },
    404: { description: 'No such tenant' },
  },
  async handler({ deps, params }) {
    const rows = await deps.db.withTenant(params.id, async (trx) => {
      if (!(await trx('tenants').where({ id: params.id }).first('id'))) throw errors.notFound('Tenant');
      return trx<LimitRaiseRow>('limit_raises').where({ tenant_id: params.id }).orderBy('created_at', 'desc').limit(200);
    });
    const now = new Date();
    return { status: 200, body: { data: rows.map((row) => toLimitRaiseView(row, now)) } };
  },
});
