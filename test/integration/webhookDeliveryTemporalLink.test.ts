import { emitEvent } from '../../platform/events/emitEvent';
import { eventually } from '../support/eventually';
import { useHub, useStarted } from '../support/harness';
import { startWebhookReceiver } from '../support/webhookReceiver';

/** The console links every webhook delivery to the workflow delivering it (the tenant's drainer) in the Temporal UI: the list answers the link. */
describe('webhook deliveries: Temporal UI link', () => {
  const receiver = useStarted(() => startWebhookReceiver());
  const { hub, tenant } = useHub({ env: { WEBHOOK_RETRY_SCHEDULE: '200ms,200ms', WEBHOOK_DISPATCH_SWEEP: '2s' }, tenants: [{}] });

  it('each delivery names the drainer workflow delivering it in the Temporal UI of the configured namespace', async () => {
    const created = await hub.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: receiver.url, events: ['invoice.paid'] } });
    expect(created.status).toBe(201);
    const webhookId = created.body.webhook.id as string;
    const eventId = await hub.db.withTenant(tenant.id, (trx) => emitEvent(trx, { tenantId: tenant.id, type: 'invoice.paid', data: { invoiceId: 'in_1' } }));

    const delivery = await eventually(
      async () => {
        const listed = await hub.request('GET', `/v1/webhooks/${webhookId}/deliveries?eventId=${eventId}`, { key: tenant.key });
        expect(listed.status).toBe(200);
        return listed.body.data[0] as { id: string; workflowId: string; temporalUiUrl: string; status: string } | undefined;
      },
      30_000,
      'the delivery',
    );
    expect(delivery.workflowId).toBe(`webhooks/${tenant.slug}/drainer`);
    const base = hub.config.TEMPORAL_UI_URL.replace(/\/$/, '');
    expect(delivery.temporalUiUrl).toBe(
      `${base}/namespaces/${encodeURIComponent(hub.config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(delivery.workflowId)}`,
    );
  });
});
