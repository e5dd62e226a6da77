import { type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { defineRoute } from '../http/route';
import { toWebhookView, webhookSchema, webhookViewColumns } from './webhookView';

export const listWebhooks = defineRoute({
  method: 'get',
  path: '/v1/webhooks',
  auth: 'tenant',
  summary: "The tenant's webhook endpoints, newest first (never their secrets)",
  tags: ['webhooks'],
  query: pageQuery,
  responses: { 200: { description: 'A page of endpoints', schema: pageOf(webhookSchema) } },
  async handler({ deps, query, principal }) {
    const { rows, total } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const counted = (await trx('webhook_endpoints').count({ count: '*' }).first()) as { count: string };
      const page = (await trx('webhook_endpoints')
        .select(webhookViewColumns)
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)) as WebhookEndpointRow[];
      return { rows: page, total: Number(counted.count) };
    });
    return { status: 200, body: { data: rows.map(toWebhookView), pagination: pagination(query.page, query.limit, total) } };
  },
});
