import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { type LimitRaiseRow } from '../../platform/limits/limitRaises';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { limitRaiseSchema, toLimitRaiseView } from './limitRaiseView';

export const cancelLimitRaise = defineRoute({
  method: 'delete',
  path: '/v1/admin/tenants/:id/limit-raises/:raiseId',
  auth: 'admin',
  summary: 'Cancel a limit raise before it ends (platform admin, audited): the configured limit applies again at once',
  tags: ['admin'],
  params: z.strictObject({ id: z.uuid(), raiseId: z.uuid() }),
  responses: {
    200: { description: 'The raise, cancelled', schema: z.object({ raise: limitRaiseSchema }) },
    404: { description: 'No such tenant or raise' },
  },
  async handler({ deps, params, req }) {
    const row = await deps.db.withTenant(params.id, async (trx) => {
      const current = await trx<LimitRaiseRow>('limit_raises').where({ id: params.raiseId, tenant_id: params.id }).forUpdate().first();
      if (!current) throw errors.notFound('Limit raise');
      if (current.cancelled_at) return current;
      const [updated] = await trx<LimitRaiseRow>('limit_raises').where({ id: current.id }).update({ cancelled_at: new Date() }).returning('*');
      await appendAudit(trx, {
        tenantId: params.id,
        actor: { type: 'platform_admin', ip: req.ip, requestId: String(req.id ?? '') || undefined },
        action: 'limit_raise.cancelled',
        target: { type: 'limit_raise', id: current.id },
        details: { limit: current.limit_id, value: Number(current.value) },
      });
      return updated!;
    });
    deps.controlPlane.limitPolicies.invalidate(params.id);
    return { status: 200, body: { raise: toLimitRaiseView(row) } };
  },
});
