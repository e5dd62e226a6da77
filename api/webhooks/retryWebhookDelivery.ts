import { withStartDeadline } from '../../platform/temporal/temporalUnavailable';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { temporalUiUrl } from '../../platform/temporal/connection';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { ensureWebhookDrainer } from '../../platform/webhooks/dispatcherControl';
import { type WebhookDeliveryRow, type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { auditActor } from '../auth/auditActor';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';

export const retryWebhookDelivery = defineRoute({
  method: 'post',
  path: '/v1/webhooks/:id/deliveries/:deliveryId/retry',
  auth: 'tenant',
  summary: 'Re-send a delivery now: a new attempt with the same webhook-id (a delivery still retrying attempts at once)',
  tags: ['webhooks'],
  params: z.strictObject({ id: z.uuid(), deliveryId: z.uuid() }),
  responses: {
    202: {
      description: 'The attempt is on its way; GET …/deliveries shows it',
      schema: z.object({
        retryId: z.uuid(),
        deliveryId: z.uuid(),
        workflowId: z.string().describe("the tenant's webhook drainer, which makes the attempt"),
        temporalUiUrl: z.url(),
      }),
    },
    404: { description: 'No such endpoint or delivery in this tenant' },
    409: { description: 'The endpoint is disabled (WEBHOOK_DISABLED): enable it first' },
  },
  async handler({ deps, params, principal, req }) {
    const { tenantId } = principal;
    const retryId = randomUUID();
    const workflowId = workflowIds.webhookDrainer(principal.tenantSlug);
    const found = await deps.db.withTenant(tenantId, async (trx) => {
      const endpoint = (await trx('webhook_endpoints').where({ id: params.id }).first('id', 'status')) as Pick<WebhookEndpointRow, 'id' | 'status'> | undefined;
      if (!endpoint) return undefined;
      const delivery = (await trx('webhook_deliveries').where({ id: params.deliveryId, endpoint_id: params.id }).forUpdate().first()) as
        WebhookDeliveryRow | undefined;
      if (!delivery) return undefined;
      if (endpoint.status !== 'enabled')
        throw new ApiError(409, 'WEBHOOK_DISABLED', 'The endpoint is disabled; enable it (PATCH {"enabled": true}) before re-sending');
      // Still retrying: the next attempt goes now. Finished: one manual attempt with its own success
      // slot, so a re-send after a success is really sent. In flight: right after the current attempt.
      const resend = delivery.claimed_at
        ? { retry_requested: retryId }
        : delivery.status === 'pending'
          ? { next_attempt_at: trx.fn.now(), next_trigger: 'manual' }
          : { next_attempt_at: trx.fn.now(), next_intent: `manual:${retryId}`, next_trigger: 'manual' };
      await trx('webhook_deliveries')
        .where({ id: delivery.id })
        .update({ ...resend, workflow_id: workflowId, updated_at: trx.fn.now() });
      await appendAudit(trx, {
        tenantId,
        actor: auditActor(principal, req),
        action: 'webhook.delivery_retried',
        target: { type: 'webhook_delivery', id: delivery.id },
        details: { webhookId: params.id, eventId: delivery.event_id, retryId },
      });
      return delivery;
    });
    if (!found) throw errors.notFound('Delivery');
    await withStartDeadline(deps.temporal, () => ensureWebhookDrainer(deps.temporal, deps.config, { tenantId, tenantSlug: principal.tenantSlug }));
    return { status: 202, body: { retryId, deliveryId: found.id, workflowId, temporalUiUrl: temporalUiUrl(deps.config, workflowId) } };
  },
});
