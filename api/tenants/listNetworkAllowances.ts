import { listNetworkAllowances as loadAllowances } from '../../platform/network/tenantAllowances';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { networkAllowancesResponse, tenantIdParams, toNetworkAllowanceView } from './networkAllowanceView';

export const listNetworkAllowances = defineRoute({
  method: 'get',
  path: '/v1/admin/tenants/:id/network-allowances',
  auth: 'admin',
  summary: "The private ranges this tenant's connectors and webhooks may reach (platform admin); no other tenant may",
  tags: ['admin'],
  params: tenantIdParams,
  responses: {
    200: { description: 'The allowances, oldest first', schema: networkAllowancesResponse },
    404: { description: 'No such tenant' },
  },
  async handler({ deps, params }) {
    const data = await deps.db.withTenant(params.id, async (trx) => {
      if (!(await trx('tenants').where({ id: params.id }).first('id'))) throw errors.notFound('Tenant');
      return loadAllowances(trx, params.id);
    });
    return { status: 200, body: { data: data.map(toNetworkAllowanceView) } };
  },
});
