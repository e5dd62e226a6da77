import { appendAudit } from '../../platform/audit';
import { allowanceProblem, listNetworkAllowances, normaliseCidr } from '../../platform/network/tenantAllowances';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';
import { networkAllowancesBody, networkAllowancesResponse, tenantIdParams, toNetworkAllowanceView } from './networkAllowanceView';

/**
 * The platform admin sets the complete list of private ranges one tenant may reach (its VPN), in
 * the tenant's audit log. The SSRF guard applies them to this tenant's connectors and webhooks
 * only, at registration and at every connection; tenants cannot set them.
 */
export const putNetworkAllowances = defineRoute({
  method: 'put',
  path: '/v1/admin/tenants/:id/network-allowances',
  auth: 'admin',
  summary: 'Replace the private ranges this tenant may reach (platform admin, audited); an empty list removes them',
  tags: ['admin'],
  params: tenantIdParams,
  body: networkAllowancesBody,
  responses: {
    200: { description: 'The allowances now in force', schema: networkAllowancesResponse },
    400: { description: 'Not a CIDR, or a range no tenant may be granted (CIDR_NOT_ALLOWED: link-local, too broad, loopback in production)' },
    404: { description: 'No such tenant' },
  },
  async handler({ deps, params, body, req }) {
    const wanted = new Map<string, string | null>();
    for (const [index, allowance] of body.allowances.entries()) {
      const cidr = normaliseCidr(allowance.cidr);
      const problem = allowanceProblem(cidr, deps.config.NODE_ENV === 'production');
      const path = `body.allowances.${index}.cidr`;
      if (problem) throw new ApiError(400, 'CIDR_NOT_ALLOWED', `${path}: ${cidr} ${problem}`, [{ path, message: `${cidr} ${problem}` }]);
      wanted.set(cidr, allowance.note ?? null);
    }
    const data = await deps.db.withTenant(params.id, async (trx) => {
      const tenant = await trx('tenants').where({ id: params.id }).forUpdate().first('id');
      if (!tenant) throw errors.notFound('Tenant');
      const before = await listNetworkAllowances(trx, params.id);
      await trx('tenant_network_allowances').where({ tenant_id: params.id }).delete();
      if (wanted.size > 0) {
        const kept = new Map(before.map((allowance) => [allowance.cidr, allowance.createdAt]));
        await trx('tenant_network_allowances').insert(
          [...wanted].map(([cidr, note]) => ({ tenant_id: params.id, cidr, note, ...(kept.has(cidr) ? { created_at: kept.get(cidr) } : {}) })),
        );
      }
      const after = await listNetworkAllowances(trx, params.id);
      const summary = (list: typeof before) => list.map((allowance) => ({ cidr: allowance.cidr, note: allowance.note }));
      if (JSON.stringify(summary(before)) !== JSON.stringify(summary(after))) {
        await appendAudit(trx, {
          tenantId: params.id,
          actor: { type: 'platform_admin', ip: req.ip, requestId: String(req.id ?? '') || undefined },
          action: 'tenant.network_allowances_changed',
          target: { type: 'tenant', id: params.id },
          details: { before: { allowances: summary(before) }, after: { allowances: summary(after) } },
        });
      }
      return after;
    });
    return { status: 200, body: { data: data.map(toNetworkAllowanceView) } };
  },
});
