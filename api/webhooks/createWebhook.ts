import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { ensureWebhookDrainer } from '../../platform/webhooks/dispatcherControl';
import { type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { generateWebhookSecret, sealWebhookSecret } from '../../platform/webhooks/webhookSecret';
import { auditActor } from '../auth/auditActor';
import { networkPolicyFor } from '../connectors/connectorInput';
import { defineRoute } from '../http/route';
import { assertWebhookUrlAllowed, toWebhookView, webhookDeliverySettingsSchema, webhookEventsSchema, webhookSchema } from './webhookView';

export const createWebhook = defineRoute({
  method: 'post',
  path: '/v1/webhooks',
  auth: 'tenant',
  summary: 'Register a webhook endpoint; answers its signing secret (whsec_…) this once',
  tags: ['webhooks'],
  body: z.strictObject({
    url: z
      .string()
      .max(2_000)
      .meta({ format: 'uri', minLength: 1, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+' })
      .describe('https URL receiving POSTs (Standard Webhooks); private and loopback addresses are refused'),
    events: webhookEventsSchema,
    description: z.string().trim().max(500).optional(),
    enabled: z.boolean().default(true),
    ...webhookDeliverySettingsSchema,
  }),
  responses: {
    201: {
      description: 'The endpoint, with `secret` (shown only here; stored encrypted)',
      schema: z.object({ webhook: webhookSchema.extend({ secret: z.string().startsWith('whsec_') }) }),
    },
    400: { description: 'Invalid body, or a URL the SSRF guard refuses (URL_NOT_ALLOWED)' },
  },
  async handler({ deps, body, principal, req }) {
    await assertWebhookUrlAllowed(body.url, await networkPolicyFor(deps, principal.tenantId));
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const { tenantId } = principal;
    const row = await deps.db.withTenant(tenantId, async (trx) => {
      const sealed = await sealWebhookSecret(trx, deps.vault, tenantId, id, secret);
      const [inserted] = (await trx('webhook_endpoints')
        .insert({
          id,
          tenant_id: tenantId,
          url: body.url,
          description: body.description ?? null,
          events: body.events,
          max_in_flight: body.maxInFlight ?? null,
          rate_limit_per_second: body.rateLimitPerSecond ?? null,
          ordered: body.ordered ?? false,
          status: body.enabled ? 'enabled' : 'disabled',
          disabled_reason: body.enabled ? null : 'manual',
          disabled_at: body.enabled ? null : trx.fn.now(),
          ...sealed,
          created_by: `api_key:${principal.keyId}`,
        })
        .returning('*')) as WebhookEndpointRow[];
      await appendAudit(trx, {
        tenantId,
        actor: auditActor(principal, req),
        action: 'webhook.created',
        target: { type: 'webhook', id },
        details: {
          url: body.url,
          events: body.events,
          enabled: body.enabled,
          maxInFlight: body.maxInFlight ?? null,
          rateLimitPerSecond: body.rateLimitPerSecond ?? null,
          ordered: body.ordered ?? false,
        },
      });
      return inserted!;
    });
    if (body.enabled) await ensureWebhookDrainer(deps.temporal, deps.config, { tenantId, tenantSlug: principal.tenantSlug });
    return { status: 201, body: { webhook: { ...toWebhookView(row), secret } } };
  },
});
