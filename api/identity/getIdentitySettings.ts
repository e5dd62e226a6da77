import { defineRoute } from '../http/route';
import { identitySettingsSchema, identitySettingsView } from './identitySettingsView';

export const getIdentitySettings = defineRoute({
  method: 'get',
  path: '/v1/identity/settings',
  auth: 'tenant',
  summary: "The tenant's identity settings: SSO required, just-in-time provisioning, default role, break-glass admin, group → role mapping",
  tags: ['identity'],
  responses: { 200: { description: 'The settings', schema: identitySettingsSchema } },
  async handler({ deps, principal }) {
    return { status: 200, body: await deps.db.withTenant(principal.tenantId, identitySettingsView) };
  },
});
