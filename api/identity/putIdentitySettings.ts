import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { auditChanges } from '../../platform/auditDiff';
import { auditActor } from '../auth/auditActor';
import { ROLES } from '../auth/roles';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { identitySettingsSchema, identitySettingsView } from './identitySettingsView';
import { nonBlankText } from '../http/textFields';

export const putIdentitySettings = defineRoute({
  method: 'put',
  path: '/v1/identity/settings',
  auth: 'tenant',
  summary: "Replace the tenant's identity settings and group → role mapping (audited)",
  tags: ['identity'],
  body: z
    .strictObject({
      ssoRequired: z.boolean(),
      jitProvisioning: z.boolean(),
      defaultRole: z.enum(ROLES),
      breakGlassUserId: z.uuid().nullable(),
      groupRoles: z
        .array(z.strictObject({ group: nonBlankText(256), role: z.enum(ROLES) }))
        .max(500)
        .refine(
          (rows) => new Set(rows.map((row) => row.group.toLowerCase())).size === rows.length,
          'each group may appear once (names compare case-insensitively)',
        )
        .meta({ uniqueItems: true }),
    })
    .meta({
      // ssoRequired: true needs a break-glass admin (checked again in the handler, with a clearer message).
      if: { properties: { ssoRequired: { const: true } }, required: ['ssoRequired'] },
      then: { properties: { breakGlassUserId: { type: 'string' } } },
    }),
  responses: {
    200: { description: 'The settings', schema: identitySettingsSchema },
    400: {
      description: 'The break-glass user is not an active admin of the tenant (BREAK_GLASS_NOT_ADMIN), or SSO is required without one (BREAK_GLASS_REQUIRED)',
    },
  },
  async handler({ deps, principal, body, req }) {
    const view = await deps.db.withTenant(principal.tenantId, async (trx) => {
      if (body.breakGlassUserId) {
        const user = await trx('users').where({ id: body.breakGlassUserId }).first<{ role: string; status: string } | undefined>('role', 'status');
        if (!user || user.role !== 'admin' || user.status !== 'active') {
          throw errors.badRequest('BREAK_GLASS_NOT_ADMIN', 'The break-glass user must be an active admin of this tenant', [
            { path: 'body.breakGlassUserId', message: 'not an active admin of this tenant' },
          ]);
        }
      } else if (body.ssoRequired) {
        // Requiring SSO with no password way in would lock everyone out when the IdP fails.
        throw errors.badRequest('BREAK_GLASS_REQUIRED', 'Requiring SSO needs a break-glass admin who can still sign in with a password', [
          { path: 'body.breakGlassUserId', message: 'name an active admin when ssoRequired is true' },
        ]);
      }
      const before = await identitySettingsView(trx);
      await trx.raw(
        `insert into identity_settings (tenant_id, sso_required, jit_provisioning, default_role, break_glass_user_id) values (?, ?, ?, ?, ?)
         on conflict (tenant_id) do update set sso_required = excluded.sso_required, jit_provisioning = excluded.jit_provisioning,
           default_role = excluded.default_role, break_glass_user_id = excluded.break_glass_user_id, updated_at = now()`,
        [principal.tenantId, body.ssoRequired, body.jitProvisioning, body.defaultRole, body.breakGlassUserId],
      );
      await trx('identity_group_roles').delete();
      if (body.groupRoles.length > 0) {
        await trx('identity_group_roles').insert(body.groupRoles.map((row) => ({ tenant_id: principal.tenantId, group_name: row.group, role: row.role })));
      }
      const after = await identitySettingsView(trx);
      const changes = auditChanges(before, after);
      await appendAudit(trx, { tenantId: principal.tenantId, actor: auditActor(principal, req), action: 'identity.settings_updated', details: changes });
      return after;
    });
    return { status: 200, body: view };
  },
});
