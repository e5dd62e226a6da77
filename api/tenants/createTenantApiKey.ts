import { z } from 'zod';
import { effectiveSettings } from '../../platform/tenants/settings';
import { issueApiKey } from '../auth/issueApiKey';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { type TenantRow } from './tenantView';
import { createdApiKeyResponse, toApiKeyView } from '../apiKeys/apiKeyView';
import { nonBlankText } from '../http/textFields';

const DAY_MS = 86_400_000;

/**
 * A platform admin issues an admin key to an existing tenant: the way into a tenant that has no
 * usable key (a tenant created by restoring a backup into a new slug — keys are never restored — or
 * one whose admins revoked every key). Audited in the tenant's log; the secret is shown once.
 */
export const createTenantApiKey = defineRoute({
  method: 'post',
  path: '/v1/admin/tenants/:id/api-keys',
  auth: 'admin',
  summary: 'Issue an admin API key to a tenant (platform admin); the answer is the only time its secret is shown',
  tags: ['admin'],
  params: z.strictObject({ id: z.uuid() }),
  body: z.strictObject({ name: nonBlankText(200).default('platform-issued admin key') }),
  responses: {
    201: { description: 'The key, with its secret (shown once)', schema: createdApiKeyResponse },
    404: { description: 'No such tenant' },
  },
  async handler({ deps, params, body, req }) {
    const tenant = await deps.db.withPlatform((trx) => trx<TenantRow>('tenants').where({ id: params.id }).first('id', 'plan', 'settings'));
    if (!tenant) throw errors.notFound('Tenant');
    const maxDays = effectiveSettings(tenant.plan, tenant.settings).security.keyMaxLifetimeDays;
    const issued = await deps.db.withTenant(params.id, (trx) =>
      issueApiKey(trx, {
        tenantId: params.id,
        name: body.name,
        role: 'admin',
        scopes: null,
        expiresAt: maxDays === null ? null : new Date(Date.now() + maxDays * DAY_MS),
        createdBy: 'platform_admin',
        actor: { type: 'platform_admin', ip: req.ip, requestId: String(req.id ?? '') || undefined },
      }),
    );
    return { status: 201, body: { apiKey: { ...toApiKeyView(issued.row), key: issued.key } } };
  },
});
