import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { ensureWebhookDrainer } from '../../platform/webhooks/dispatcherControl';
import { type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { auditActor } from '../auth/auditActor';
import { networkPolicyFor } from '../connectors/connectorInput';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import {
  assertWebhookUrlAllowed,
  toWebhookView,
  webhookDeliverySettingsSchema,
  webhookEventsSchema,
  webhookIdParams,
  webhookSchema,
  webhookViewColumns,
} from './webhookView';

export const updateWebhook = defineRoute({
  method: 'patch',
  path: '/v1/webhooks/:id',
  auth: 'tenant',
  summary: 'Change an endpoint’s URL, events, description or delivery limits; enable or disable it (enabling clears a 410 or failure disablement)',
  tags: ['webhooks'],
  params: webhookIdParams,
  body: z.strictObject({
    url: z.string().max(2_000).meta({ format: 'uri', minLength: 1, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+' }).optional(),
    events: webhookEventsSchema.optional(),
    description: z.string().trim().max(500).nullable().optional(),
    enabled: z.boolean().optional(),
    ...webhookDeliverySettingsSchema,
  }),
  responses: {
    200: { description: 'The endpoint', schema: z.object({ webhook: webhookSchema }) },
    400: { description: 'Invalid body, or a URL the SSRF guard refuses (URL_NOT_ALLOWED)' },
    404: { description: 'No such endpoint in this tenant' },
  },
  async handler({ deps, params, body, principal, req }) {
    if (body.url !== undefined) await assertWebhookUrlAllowed(body.url, await networkPolicyFor(deps, principal.tenantId));
    const { tenantId } = principal;
    const row = await deps.db.withTenant(tenantId, async (trx) => {
      const before = (await trx('webhook_endpoints').select(webhookViewColumns).where({ id: params.id }).forUpdate().first()) as WebhookEndpointRow | undefined;
      if (!before) return undefined;
      const changes: Record<string, unknown> = {};
      if (body.url !== undefined) changes.url = body.url;
      if (body.events !== undefined) changes.events = body.events;
      if (body.maxInFlight !== undefined) changes.max_in_flight = body.maxInFlight;
      if (body.rateLimitPerSecond !== undefined) changes.rate_limit_per_second = body.rateLimitPerSecond;
      if (body.ordered !== undefined) changes.ordered = body.ordered;
      if (body.description !== undefined) changes.description = body.description;
      if (body.enabled === true && before.status !== 'enabled')
        Object.assign(changes, {
          status: 'enabled',
          disabled_reason: null,
          disabled_at: null,
          failing_since: null,
          breaker_state: 'closed',
          breaker_opened_at: null,
        });
      if (body.enabled === false && before.status !== 'disabled')
        Object.assign(changes, { status: 'disabled', disabled_reason: 'manual', disabled_at: trx.fn.now() });
      if (Object.keys(changes).length === 0) return before;
      const [after] = (await trx('webhook_endpoints')
        .where({ id: params.id })
        .update({ ...changes, updated_at: trx.fn.now() })
        .returning(webhookViewColumns)) as WebhookEndpointRow[];
      const changed = Object.fromEntries(
        Object.keys(changes)
          .filter((key) => ['url', 'events', 'description', 'status', 'max_in_flight', 'rate_limit_per_second', 'ordered'].includes(key))
          .map((key) => [key, { before: before[key as keyof WebhookEndpointRow], after: after![key as keyof WebhookEndpointRow] }]),
      );
      await appendAudit(trx, {
        tenantId,
        actor: auditActor(principal, req),
        action: 'webhook.updated',
        target: { type: 'webhook', id: params.id },
        details: changed,
      });
      return after!;
    });
    if (!row) throw errors.notFound('Webhook');
    if (row.status === 'enabled') await ensureWebhookDrainer(deps.temporal, deps.config, { tenantId, tenantSlug: principal.tenantSlug });
    return { status: 200, body: { webhook: toWebhookView(row) } };
  },
});
