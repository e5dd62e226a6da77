import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { PLAN_IDS } from '../../platform/billing/catalogue';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { tenantSchema, toTenantView, type TenantRow } from './tenantView';

export const updateTenantAsAdmin = defineRoute({
  method: 'patch',
  path: '/v1/admin/tenants/:id',
  auth: 'admin',
  summary: 'Suspend or reactivate a tenant, or change its plan (platform admin). Every API replica sees it at once',
  tags: ['admin'],
  params: z.strictObject({ id: z.uuid() }),
  body: z
    .strictObject({ status: z.enum(['active', 'suspended']).optional(), plan: z.enum(PLAN_IDS).optional() })
    .refine((value) => value.status !== undefined || value.plan !== undefined, 'send status or plan'),
  responses: {
    200: { description: 'The tenant', schema: z.object({ tenant: tenantSchema }) },
    404: { description: 'No such tenant' },
  },
  async handler({ deps, params, body, req }) {
    const current = await deps.db.withPlatform((trx) => trx<TenantRow>('tenants').where({ id: params.id }).first());
    if (!current) throw errors.notFound('Tenant');
    const row = await deps.db.withTenant(params.id, async (trx) => {
      const [updated] = await trx<TenantRow>('tenants')
        .where({ id: params.id })
        .update({ ...(body.status ? { status: body.status } : {}), ...(body.plan ? { plan: body.plan } : {}), updated_at: trx.fn.now() as never })
        .returning('*');
      const actor = { type: 'platform_admin' as const, ip: req.ip, requestId: String(req.id ?? '') || undefined };
      if (body.status && body.status !== current.status) {
        await appendAudit(trx, {
          tenantId: params.id,
          actor,
          action: body.status === 'suspended' ? 'tenant.suspended' : 'tenant.reactivated',
          target: { type: 'tenant', id: params.id },
          details: { before: { status: current.status }, after: { status: body.status } },
        });
      }
      if (body.plan && body.plan !== current.plan) {
        await appendAudit(trx, {
          tenantId: params.id,
          actor,
          action: 'tenant.plan_changed',
          target: { type: 'tenant', id: params.id },
          details: { before: { plan: current.plan }, after: { plan: body.plan } },
        });
      }
      return updated!;
    });
    deps.controlPlane.credentials.invalidateTenant(params.id);
    return { status: 200, body: { tenant: toTenantView(row) } };
  },
});
