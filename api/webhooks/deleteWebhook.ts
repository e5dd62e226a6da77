import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { webhookIdParams } from './webhookView';

export const deleteWebhook = defineRoute({
  method: 'delete',
  path: '/v1/webhooks/:id',
  auth: 'tenant',
  summary: 'Delete an endpoint, its secret and its delivery history (pending deliveries stop at their next attempt)',
  tags: ['webhooks'],
  params: webhookIdParams,
  responses: {
    204: { description: 'Deleted' },
    404: { description: 'No such endpoint in this tenant' },
  },
  async handler({ deps, params, principal, req }) {
    const deleted = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const rows = (await trx('webhook_endpoints').where({ id: params.id }).del().returning(['url', 'events'])) as Array<{ url: string; events: string[] }>;
      if (rows[0]) {
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: auditActor(principal, req),
          action: 'webhook.deleted',
          target: { type: 'webhook', id: params.id },
          details: rows[0],
        });
      }
      return rows.length > 0;
    });
    if (!deleted) throw errors.notFound('Webhook');
    return { status: 204 };
  },
});
