import { z } from 'zod';
import { type WebhookAttemptRow, type WebhookDeliveryRow } from '../../platform/webhooks/endpointRow';
import { errors } from '../errors';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { defineRoute } from '../http/route';
import { deliverySchema, toDeliveryView } from './webhookView';

export const listWebhookDeliveries = defineRoute({
  method: 'get',
  path: '/v1/webhooks/:id/deliveries',
  auth: 'tenant',
  summary: "An endpoint's deliveries, newest first, each with its attempts (status code, latency, error)",
  tags: ['webhooks'],
  params: z.strictObject({ id: z.uuid() }),
  query: pageQuery.extend({
    status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']).optional(),
    eventType: z.string().max(64).optional(),
    eventId: z.uuid().optional().describe('the deliveries of one event (its webhook-id)'),
  }),
  responses: {
    200: { description: 'A page of deliveries', schema: pageOf(deliverySchema) },
    404: { description: 'No such endpoint in this tenant' },
  },
  async handler({ deps, params, query, principal }) {
    const result = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const endpoint = await trx('webhook_endpoints').where({ id: params.id }).first('id');
      if (!endpoint) return undefined;
      const filtered = trx('webhook_deliveries')
        .where({ endpoint_id: params.id })
        .modify((q) => {
          if (query.status) q.where({ status: query.status });
          if (query.eventType) q.where({ event_type: query.eventType });
          if (query.eventId) q.where({ event_id: query.eventId });
        });
      const counted = (await filtered.clone().count({ count: '*' }).first()) as { count: string };
      const deliveries = (await filtered
        .clone()
        .select('*')
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)) as WebhookDeliveryRow[];
      const attempts = deliveries.length
        ? ((await trx('webhook_attempts')
            .whereIn(
              'delivery_id',
              deliveries.map((delivery) => delivery.id),
            )
            .orderBy([{ column: 'started_at' }, { column: 'attempt' }])) as WebhookAttemptRow[])
        : [];
      return { deliveries, attempts, total: Number(counted.count) };
    });
    if (!result) throw errors.notFound('Webhook');
    const byDelivery = new Map<string, WebhookAttemptRow[]>();
    for (const attempt of result.attempts) byDelivery.set(attempt.delivery_id, [...(byDelivery.get(attempt.delivery_id) ?? []), attempt]);
    return {
      status: 200,
      body: {
        data: result.deliveries.map((delivery) => toDeliveryView(delivery, byDelivery.get(delivery.id) ?? [], deps.config)),
        pagination: pagination(query.page, query.limit, result.total),
      },
    };
  },
});
