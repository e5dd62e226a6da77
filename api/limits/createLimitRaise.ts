import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { LIMIT_IDS } from '../../platform/limits/limitCatalogue';
import { type LimitRaiseRow } from '../../platform/limits/limitRaises';
import { errors } from '../errors';
import { instant } from '../http/instant';
import { defineRoute } from '../http/route';
import { limitRaiseSchema, tenantRaiseParams, toLimitRaiseView } from './limitRaiseView';
import { nonBlankText } from '../http/textFields';

const MAX_RAISE_DAYS = 93;

/**
 * The platform admin schedules a temporary raise of one of a tenant's limits (a migration
 * weekend): it applies from `startsAt` and ends by itself at `endsAt`, on every replica, with no
 * job to run at either end.
 */
export const createLimitRaise = defineRoute({
  method: 'post',
  path: '/v1/admin/tenants/:id/limit-raises',
  auth: 'admin',
  summary: "Schedule a temporary raise of one of a tenant's limits (platform admin, audited); it applies and expires by itself",
  tags: ['admin'],
  params: tenantRaiseParams,
  body: z.strictObject({
    limit: z.enum(LIMIT_IDS).describe('which limit, e.g. tenant.requestsPerSecond, tenant.apiCalls.day, user.jobs.month'),
    value: z.number().int().min(1).max(1_000_000_000).describe('the limit while the raise is active'),
    startsAt: instant().optional().describe('default: now'),
    endsAt: instant().describe(`exclusive; after startsAt, at most ${MAX_RAISE_DAYS} days after it`),
    reason: nonBlankText(500).optional(),
  }),
  responses: {
    201: { description: 'The raise', schema: z.object({ raise: limitRaiseSchema }) },
    400: { description: 'endsAt not after startsAt, in the past, or too far after it' },
    404: { description: 'No such tenant' },
  },
  async handler({ deps, params, body, req }) {
    const now = new Date();
    const startsAt = body.startsAt ? new Date(body.startsAt) : now;
    const endsAt = new Date(body.endsAt);
    if (endsAt <= startsAt) throw errors.validation([{ path: 'body.endsAt', message: 'must be after startsAt' }]);
    if (endsAt <= now) throw errors.validation([{ path: 'body.endsAt', message: 'must be in the future' }]);
    if (endsAt.getTime() - startsAt.getTime() > MAX_RAISE_DAYS * 86_400_000)
      throw errors.validation([{ path: 'body.endsAt', message: `a raise may last at most ${MAX_RAISE_DAYS} days` }]);
    const row = await deps.db.withTenant(params.id, async (trx) => {
      if (!(await trx('tenants').where({ id: params.id }).first('id'))) throw errors.notFound('Tenant');
      const [inserted] = await trx<LimitRaiseRow>('limit_raises')
        .insert({
          id: randomUUID(),
          tenant_id: params.id,
          limit_id: body.limit,
          value: body.value,
          starts_at: startsAt,
          ends_at: endsAt,
          reason: body.reason ?? null,
        })
        .returning('*');
      await appendAudit(trx, {
        tenantId: params.id,
        actor: { type: 'platform_admin', ip: req.ip, requestId: String(req.id ?? '') || undefined },
        action: 'limit_raise.scheduled',
        target: { type: 'limit_raise', id: inserted!.id },
        details: { limit: body.limit, value: body.value, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), reason: body.reason ?? null },
      });
      return inserted!;
    });
    deps.controlPlane.limitPolicies.invalidate(params.id);
    return { status: 201, body: { raise: toLimitRaiseView(row, now) } };
  },
});
