import { z } from 'zod';
import { effectiveSettings } from '../../platform/tenants/settings';
import { auditActor } from '../auth/auditActor';
import { issueApiKey } from '../auth/issueApiKey';
import { assertRoleWithinCaller } from '../auth/escalation';
import { ROLES } from '../auth/roles';
import { scopeSchema, scopesAllow } from '../auth/scopes';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { type TenantRow } from '../tenants/tenantView';
import { createdApiKeyResponse, toApiKeyView } from './apiKeyView';
import { creatorRef } from '../auth/creatorRef';
import { nonBlankText } from '../http/textFields';

const DAY_MS = 86_400_000;

export const createApiKey = defineRoute({
  method: 'post',
  path: '/v1/api-keys',
  auth: 'tenant',
  summary: 'Create an API key; the answer is the only time its secret (`apiKey.key`) is shown',
  tags: ['api-keys'],
  body: z.strictObject({
    name: nonBlankText(200),
    role: z.enum(ROLES).describe('At most the role of the key that creates it'),
    scopes: z.array(scopeSchema).min(1).max(50).optional().describe('Narrow the key below its role; omitted: everything the role allows'),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        'Must be in the future; within the tenant’s keyMaxLifetimeDays when that is set, and never after the creating key expires (default: the earlier of the two, or none)',
      ),
  }),
  responses: {
    201: { description: 'The key, with its secret (shown once)', schema: createdApiKeyResponse },
    400: { description: 'Expiry in the past, beyond the tenant’s key lifetime, or after the creating key expires (KEY_LIFETIME_EXCEEDED)' },
    403: { description: 'Role or scopes above the creating key’s (FORBIDDEN)' },
  },
  async handler({ deps, principal, body, req }) {
    assertRoleWithinCaller(principal, body.role, 'create a key');
    if (principal.scopes !== null) {
      const beyond = (body.scopes ?? ['*']).filter((scope) => !scopeCovered(principal.scopes!, scope));
      if (beyond.length > 0)
        throw errors.forbidden(`This key's scopes do not cover ${beyond.join(', ')}; a key cannot create a key with more access than its own`);
    }
    const issued = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const tenant = await trx<TenantRow>('tenants').where({ id: principal.tenantId }).first('plan', 'settings');
      const maxDays = effectiveSettings(tenant!.plan, tenant!.settings).security.keyMaxLifetimeDays;
      const now = Date.now();
      let expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= now)
        throw errors.badRequest('VALIDATION_FAILED', 'body.expiresAt: must be in the future', [{ path: 'body.expiresAt', message: 'must be in the future' }]);
      if (maxDays !== null) {
        const latest = now + maxDays * DAY_MS;
        if (!expiresAt) expiresAt = new Date(latest);
        else if (expiresAt.getTime() > latest + 60_000) {
          throw errors.badRequest('KEY_LIFETIME_EXCEEDED', `Keys of this tenant must expire within ${maxDays} days`, [
            { path: 'body.expiresAt', message: `at most ${new Date(latest).toISOString()}` },
          ]);
        }
      }
      // A key cannot outlive the key that creates it (else an expiring key could renew itself forever).
      const creator = (await trx('api_keys').where({ id: principal.keyId }).first('expires_at')) as { expires_at: Date | null } | undefined;
      const creatorExpiry = creator?.expires_at ?? null;
      if (creatorExpiry) {
        if (!expiresAt) expiresAt = creatorExpiry;
        else if (expiresAt.getTime() > creatorExpiry.getTime()) {
          throw errors.badRequest('KEY_LIFETIME_EXCEEDED', 'A key cannot outlive the key that creates it', [
            { path: 'body.expiresAt', message: `at most ${creatorExpiry.toISOString()} (when the creating key expires)` },
          ]);
        }
      }
      return issueApiKey(trx, {
        tenantId: principal.tenantId,
        name: body.name,
        role: body.role,
        scopes: body.scopes ?? null,
        expiresAt,
        createdBy: creatorRef(principal),
        actor: auditActor(principal, req),
      });
    });
    return { status: 201, body: { apiKey: { ...toApiKeyView(issued.row), key: issued.key } } };
  },
});

/** True when a creator holding `held` may hand out `scope` (never more than it has itself). */
function scopeCovered(held: readonly string[], scope: string): boolean {
  if (scope === '*') return held.includes('*');
  const [area, access] = scope.split(':') as [string, string];
  if (area === '*') return held.includes('*') || held.includes(`*:${access}`);
  if (access === '*') return held.includes('*') || held.includes(`${area}:*`);
  return scopesAllow(held, scope);
}
