import { z } from 'zod';
import { type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { toWebhookView, webhookIdParams, webhookSchema, webhookViewColumns } from './webhookView';

export const getWebhook = defineRoute({
  method: 'get',
  path: '/v1/webhooks/:id',
  auth: 'tenant',
  summary: 'One webhook endpoint (never its secret)',
  tags: ['webhooks'],
  params: webhookIdParams,
  responses: {
    200: { description: 'The endpoint', schema: z.object({ webhook: webhookSchema }) },
    404: { description: 'No such endpoint in this tenant' },
  },
  async handler({ deps, params, principal }) {
    const [row] = await deps.db.readAsTenant<WebhookEndpointRow>(
      principal.tenantId,
      deps.db.knex('webhook_endpoints').select(webhookViewColumns).where({ id: params.id }),
    );
    if (!row) throw errors.notFound('Webhook');
    return { status: 200, body: { webhook: toWebhookView(row) } };
  },
});
