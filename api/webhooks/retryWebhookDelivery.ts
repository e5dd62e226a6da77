import { withStartDeadline } from '../../platform/temporal/temporalUnavailable';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { durationMs } from '../../platform/config';
import { temporalUiUrl } from '../../platform/temporal/connection';
import { searchAttributePairs } from '../../platform/temporal/searchAttributes';
import { type WebhookDeliveryRow, type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { auditActor } from '../auth/auditActor';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';
import { retryNowSignal, WORKFLOW_TYPES, type WebhookDeliveryWorkflow } from '../../workflows/contracts';

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
      schema: z.object({ retryId: z.uuid(), deliveryId: z.uuid(), workflowId: z.string(), temporalUiUrl: z.url() }),
    },
    404: { description: 'No such endpoint or delivery in this tenant' },
    409: { description: 'The endpoint is disabled (WEBHOOK_DISABLED): enable it first' },
  },
  async handler({ deps, params, principal, req }) {
    const { tenantId } = principal;
    const retryId = randomUUID();
    const found = await deps.db.withTenant(tenantId, async (trx) => {
      const endpoint = (await trx('webhook_endpoints').where({ id: params.id }).first('id', 'status')) as Pick<WebhookEndpointRow, 'id' | 'status'> | undefined;
      if (!endpoint) return undefined;
      const delivery = (await trx('webhook_deliveries').where({ id: params.deliveryId, endpoint_id: params.id }).first()) as WebhookDeliveryRow | undefined;
      if (!delivery) return undefined;
      if (endpoint.status !== 'enabled')
        throw new ApiError(409, 'WEBHOOK_DISABLED', 'The endpoint is disabled; enable it (PATCH {"enabled": true}) before re-sending');
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

    // Running (still retrying): the signal makes it attempt now. Finished: a new run makes one
    // manual attempt with its own success slot, so a re-send after a success is really sent.
    const handle = await withStartDeadline(deps.temporal, () =>
      deps.temporal.workflow.signalWithStart<WebhookDeliveryWorkflow, [retryId: string]>(WORKFLOW_TYPES.webhookDelivery, {
        workflowId: found.workflow_id,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [
          {
            tenantId,
            tenantSlug: principal.tenantSlug,
            deliveryId: found.id,
            retryDelaysMs: deps.config.WEBHOOK_RETRY_SCHEDULE.map(durationMs),
            manualRetryId: retryId,
          },
        ],
        signal: retryNowSignal,
        signalArgs: [retryId],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: searchAttributePairs({ TenantId: tenantId, TenantSlug: principal.tenantSlug, JobKind: 'webhook_delivery' }),
        staticSummary: `${found.event_type} to endpoint ${found.endpoint_id} (manual re-send)`,
      }),
    );
    return {
      status: 202,
      body: {
        retryId,
        deliveryId: found.id,
        workflowId: found.workflow_id,
        temporalUiUrl: temporalUiUrl(deps.config, found.workflow_id, handle.signaledRunId),
      },
    };
  },
});
