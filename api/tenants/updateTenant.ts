import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { auditChanges } from '../../platform/auditDiff';
import { PLANS } from '../../platform/billing/catalogue';
import { inCidrs } from '../../platform/network/addressPolicy';
import { mergePatch, tenantBrandingSchema, tenantSettingsSchema } from '../../platform/tenants/settings';
import { auditActor } from '../auth/auditActor';
import { ApiError, errors, zodDetails } from '../errors';
import { atLeastOneField, mergePatchSchema } from '../http/patchSchema';
import { defineRoute } from '../http/route';
import { tenantSchema, toTenantView, type TenantRow } from './tenantView';
import { nonBlankText } from '../http/textFields';

const body = atLeastOneField(
  z.strictObject({
    name: nonBlankText(200).optional(),
    settings: mergePatchSchema(tenantSettingsSchema).optional().describe('JSON merge patch (RFC 7396) of the settings: null removes a field'),
    branding: mergePatchSchema(tenantBrandingSchema).optional().describe('JSON merge patch (RFC 7396) of the branding: null removes a field'),
  }),
  'send at least one of name, settings, branding',
);

export const updateTenant = defineRoute({
  method: 'patch',
  path: '/v1/tenant',
  auth: 'tenant',
  summary: "Change the tenant's name, settings (limits, notifications, security) or branding; plan and status are not changed here",
  tags: ['tenant'],
  body,
  responses: {
    200: { description: 'The updated tenant', schema: z.object({ tenant: tenantSchema }) },
    400: { description: 'Invalid settings or branding, or an IP allowlist that would lock the caller out (IP_ALLOWLIST_LOCKOUT)' },
    403: { description: 'A custom domain needs a plan with white-label (FEATURE_NOT_IN_PLAN)' },
  },
  async handler({ deps, principal, body, req }) {
    const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const current = await trx<TenantRow>('tenants').where({ id: principal.tenantId }).forUpdate().first();
      if (!current) throw errors.notFound('Tenant');
      const settings =
        body.settings === undefined ? current.settings : validated(tenantSettingsSchema, mergePatch(current.settings, body.settings), 'body.settings');
      const branding =
        body.branding === undefined ? current.branding : validated(tenantBrandingSchema, mergePatch(current.branding, body.branding), 'body.branding');

      if (branding.customDomain && !PLANS[current.plan].features.whiteLabel) {
        throw new ApiError(403, 'FEATURE_NOT_IN_PLAN', `A custom domain (white-label) is not part of plan ${current.plan}`);
      }
      const allowlist = (settings as { security?: { ipAllowlist?: string[] } }).security?.ipAllowlist ?? [];
      if (allowlist.length > 0 && !inCidrs(req.ip ?? '', allowlist)) {
        throw errors.badRequest('IP_ALLOWLIST_LOCKOUT', `The new IP allowlist does not include your own address (${req.ip}); add it so this key keeps working`);
      }

      const before = { name: current.name, settings: current.settings, branding: current.branding };
      const after = { name: body.name ?? current.name, settings, branding };
      const [updated] = await trx<TenantRow>('tenants')
        .where({ id: principal.tenantId })
        .update({
          name: after.name,
          settings: JSON.stringify(settings) as never,
          branding: JSON.stringify(branding) as never,
          updated_at: trx.fn.now() as never,
        })
        .returning('*');
      const changes = auditChanges(before, after);
      if (Object.keys(changes.after).length > 0 || Object.keys(changes.before).length > 0) {
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: auditActor(principal, req),
          action: 'tenant.updated',
          target: { type: 'tenant', id: principal.tenantId },
          details: changes,
        });
      }
      return updated!;
    });
    // The trigger notifies every replica; this one drops its cached allowlist right away.
    deps.controlPlane.credentials.invalidateTenant(principal.tenantId);
    deps.controlPlane.limitPolicies.invalidate(principal.tenantId);
    return { status: 200, body: { tenant: toTenantView(row) } };
  },
});

function validated<T extends z.ZodType>(schema: T, value: unknown, location: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw errors.validation(zodDetails(parsed.error, location));
  return parsed.data;
}
