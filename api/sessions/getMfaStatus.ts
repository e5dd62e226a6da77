import { z } from 'zod';
import { effectiveSettings } from '../../platform/tenants/settings';
import { defineRoute } from '../http/route';
import { authenticateSession, requireSessionSecret } from './authenticateSession';
import { mfaRow } from './secondFactor';
import { readCookie, SESSION_COOKIE } from './sessionCookies';

export const getMfaStatus = defineRoute({
  method: 'get',
  path: '/v1/auth/mfa',
  auth: 'public',
  summary: "The signed-in user's TOTP MFA: on or off, unused recovery codes, whether the tenant requires it",
  tags: ['sessions'],
  responses: {
    200: {
      description: 'The MFA status',
      schema: z.object({
        enabled: z.boolean(),
        enabledAt: z.iso.datetime().nullable(),
        recoveryCodesLeft: z.number().int().describe('Unused recovery codes (0 when MFA is off)'),
        requiredByTenant: z.boolean().describe('The tenant requires MFA: it cannot be turned off'),
      }),
    },
    401: { description: 'No live session (UNAUTHENTICATED, SESSION_EXPIRED)' },
  },
  async handler({ deps, req }) {
    const principal = await authenticateSession(deps.db, req, requireSessionSecret(readCookie(req, SESSION_COOKIE)), { allowMfaPending: true });
    const { userId } = principal.session!;
    const status = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const row = await mfaRow(trx, userId);
      const tenant = await trx('tenants').where({ id: principal.tenantId }).first<{ plan: string; settings: Record<string, unknown> }>('plan', 'settings');
      const unused = await trx('user_recovery_codes').where({ user_id: userId }).whereNull('used_at').count<Array<{ left: string }>>({ left: '*' });
      return {
        enabled: !!row?.enabled_at,
        enabledAt: row?.enabled_at ? row.enabled_at.toISOString() : null,
        recoveryCodesLeft: row?.enabled_at ? Number(unused[0]?.left ?? 0) : 0,
        requiredByTenant: effectiveSettings(principal.plan, tenant?.settings ?? {}).security.mfaRequired,
      };
    });
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: status };
  },
});
