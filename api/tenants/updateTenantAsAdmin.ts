import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { PLAN_IDS } from '../../platform/billing/catalogue';
import { isUniqueViolation } from '../../platform/db';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { tenantSchema, toTenantView, type TenantRow } from './tenantView';

export const updateTenantAsAdmin = defineRoute({
  method: 'patch',
  path: '/v1/admin/tenants/:id',
  auth: 'admin',
  summary: 'Suspend or reactivate a tenant, change its plan, or approve its custom domain (platform admin). Every API replica sees it at once',
  tags: ['admin'],
  params: z.strictObject({ id: z.uuid() }),
  body: z
    .strictObject({
      status: z.enum(['active', 'suspended']).optional(),
      plan: z.enum(PLAN_IDS).optional(),
      customDomainApproved: z
        .boolean()
        .optional()
        .describe("true: approve the domain the tenant's branding names now (its branded sign-in page is served there); false: withdraw the approval"),
    })
    .refine(
      (value) => value.status !== undefined || value.plan !== undefined || value.customDomainApproved !== undefined,
      'send status, plan or customDomainApproved',
    ),
  responses: {
    200: { description: 'The tenant', schema: z.object({ tenant: tenantSchema }) },
    404: { description: 'No such tenant' },
    409: {
      description: 'Approving a custom domain when the branding names none (NO_CUSTOM_DOMAIN), or one another tenant was approved for (CUSTOM_DOMAIN_TAKEN)',
    },
  },
  async handler({ deps, params, body, req }) {
    const current = await deps.db.withPlatform((trx) => trx<TenantRow>('tenants').where({ id: params.id }).first());
    if (!current) throw errors.notFound('Tenant');
    const domain = (current.branding as { customDomain?: string }).customDomain?.toLowerCase();
    if (body.customDomainApproved && !domain) throw errors.conflict('NO_CUSTOM_DOMAIN', "The tenant's branding names no custom domain to approve");
    const approved = body.customDomainApproved === undefined ? undefined : body.customDomainApproved ? domain! : null;
    const row = await deps.db.withTenant(params.id, async (trx) => {
      const [updated] = await trx<TenantRow>('tenants')
        .where({ id: params.id })
        .update({
          ...(body.status ? { status: body.status } : {}),
          ...(body.plan ? { plan: body.plan } : {}),
          ...(approved !== undefined ? { approved_custom_domain: approved } : {}),
          updated_at: trx.fn.now() as never,
        })
        .returning('*')
        .catch((error: unknown) => {
          if (isUniqueViolation(error, 'tenants_approved_custom_domain_unique'))
            throw errors.conflict('CUSTOM_DOMAIN_TAKEN', `${domain} is already approved for another tenant`);
          throw error;
        });
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
      if (approved !== undefined && approved !== (current.approved_custom_domain ?? null)) {
        await appendAudit(trx, {
          tenantId: params.id,
          actor,
          action: approved ? 'tenant.custom_domain_approved' : 'tenant.custom_domain_approval_withdrawn',
          target: { type: 'tenant', id: params.id },
          details: { before: { approvedCustomDomain: current.approved_custom_domain ?? null }, after: { approvedCustomDomain: approved } },
        });
      }
      return updated!;
    });
    deps.controlPlane.credentials.invalidateTenant(params.id);
    return { status: 200, body: { tenant: toTenantView(row) } };
  },
});
