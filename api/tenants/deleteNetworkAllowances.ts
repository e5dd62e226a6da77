import { appendAudit } from '../../platform/audit';
import { listNetworkAllowances } from '../../platform/network/tenantAllowances';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { tenantIdParams } from './networkAllowanceView';

/** The platform admin withdraws every private range from a tenant (audited); its private URLs are refused again. */
export const deleteNetworkAllowances = defineRoute({
  method: 'delete',
  path: '/v1/admin/tenants/:id/network-allowances',
  auth: 'admin',
  summary: 'Remove every private range this tenant may reach (platform admin, audited)',
  tags: ['admin'],
  params: tenantIdParams,
  responses: {
    204: { description: 'Removed (or there were none)' },
    404: { description: 'No such tenant' },
  },
  async handler({ deps, params, req }) {
    await deps.db.withTenant(params.id, async (trx) => {
      const tenant = await trx('tenants').where({ id: params.id }).forUpdate().first('id');
      if (!tenant) throw errors.notFound('Tenant');
      const before = await listNetworkAllowances(trx, params.id);
      if (before.length === 0) return;
      await trx('tenant_network_allowances').where({ tenant_id: params.id }).delete();
      await appendAudit(trx, {
        tenantId: params.id,
        actor: { type: 'platform_admin', ip: req.ip, requestId: String(req.id ?? '') || undefined },
        action: 'tenant.network_allowances_changed',
        target: { type: 'tenant', id: params.id },
        details: { before: { allowances: before.map((allowance) => ({ cidr: allowance.cidr, note: allowance.note })) }, after: { allowances: [] } },
      });
    });
    return { status: 204 };
  },
});
