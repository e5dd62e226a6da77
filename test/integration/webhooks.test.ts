import { Webhook } from 'standardwebhooks';
import { emitEvent } from '../../platform/events/emitEvent';
import { createWebhookSender } from '../../platform/webhooks/webhookSender';
import { startTestHub, type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/recordHistory';
import { startWebhookReceiver } from '../support/webhookReceiver';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

/**
 * Outbound webhooks end to end: API → outbox (fanned out in the event's transaction) → the tenant's
 * drainer workflow and its drain activity → local receiver, with fast retry delays so the schedule
 * runs in seconds.
 */
describe('outbound webhooks', () => {
  const receiver = useStarted(() => startWebhookReceiver());
  const { hub, owner } = useHub({
    env: { WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms', WEBHOOK_DISPATCH_SWEEP: '2s', WEBHOOK_DISABLE_AFTER: '5d', WEBHOOK_DRAIN_IDLE: '1s' },
  });

  async function endpoint(tenant: CreatedTenant, events: string[], url = receiver.url) {
    const created = await hub.request('POST', '/v1/webhooks', { key: tenant.key, body: { url, events, description: 'test receiver' } });
    expect(created.status).toBe(201);
    return created.body.webhook as { id: string; secret: string };
  }

  /** What the sync engine does when a sync completes: the event in the same transaction as its change. */
  async function emit(tenant: CreatedTenant, type: 'sync.completed' | 'sync.failed' | 'job.completed' | 'invoice.paid', data: Record<string, unknown>) {
    return hub.db.withTenant(tenant.id, (trx) => emitEvent(trx, { tenantId: tenant.id, type, data }));
  }

  async function deliveries(tenant: CreatedTenant, webhookId: string, query = '') {
    const response = await hub.request('GET', `/v1/webhooks/${webhookId}/deliveries${query}`, { key: tenant.key });
    expect(response.status).toBe(200);
    return response.body.data as Array<{
      id: string;
      eventId: string;
      status: string;
      workflowId: string;
      attempts: Array<{
        outcome: string;
        statusCode: number | null;
        latencyMs: number | null;
        error: string | null;
        trigger: string;
        retryAfterMs: number | null;
      }>;
    }>;
  }

  it('delivers a completed sync as a signed sync.completed webhook that verifies with the standardwebhooks library', async () => {
    const tenant = await hub.createTenant();
    const webhook = await endpoint(tenant, ['sync.completed', 'job.completed']);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const eventId = await emit(tenant, 'sync.completed', { connectorId: 'c-1', stream: 'Account', records: 1200 });
    const [message] = await eventually(() => (receiver.byId(eventId).length > 0 ? receiver.byId(eventId) : undefined), 30_000, 'the sync.completed webhook');
    const payload = new Webhook(webhook.secret).verify(message!.body, message!.headers) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({ type: 'sync.completed', data: { connectorId: 'c-1', stream: 'Account', records: 1200 } });
    expect(message!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(message!.headers['content-type']).toBe('application/json');
    // A tampered body or another endpoint's secret does not verify.
    expect(() => new Webhook(webhook.secret).verify(message!.body.replace('1200', '1201'), message!.headers)).toThrow();

    const [delivery] = await eventually(
      async () => {
        const list = await deliveries(tenant, webhook.id);
        return list[0]?.status === 'succeeded' ? list : undefined;
      },
      15_000,
      'the delivery to be recorded',
    );
    expect(delivery).toMatchObject({ eventId, status: 'succeeded', workflowId: `webhooks/${tenant.slug}/drainer` });
    expect(delivery!.attempts).toEqual([expect.objectContaining({ outcome: 'succeeded', statusCode: 200, error: null, trigger: 'automatic' })]);
    expect(delivery!.attempts[0]!.latencyMs).toBeGreaterThan(0);

    // A real job's completion flows the same way (job.completed from the export job's lifecycle).
    const job = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } });
    const jobMessage = await eventually(() => receiver.received.find((entry) => entry.body.includes(job.body.job.id)), 60_000, 'the job.completed webhook');
    expect(new Webhook(webhook.secret).verify(jobMessage.body, jobMessage.headers)).toMatchObject({
      type: 'job.completed',
      data: { jobId: job.body.job.id, kind: 'export', status: 'completed' },
    });

    // The secret is stored encrypted only and never shown again.
    const row = await owner('webhook_endpoints').where({ id: webhook.id }).first();
    expect(JSON.stringify(row)).not.toContain(webhook.secret.slice(6));
    const shown = await hub.request('GET', `/v1/webhooks/${webhook.id}`, { key: tenant.key });
    const listed = await hub.request('GET', '/v1/webhooks', { key: tenant.key });
    expect(shown.text + listed.text).not.toContain(webhook.secret.slice(6));
    expect(shown.body.webhook).toMatchObject({ id: webhook.id, enabled: true, events: ['sync.completed', 'job.completed'], lastSuccessAt: expect.any(String) });

    // Events nobody subscribes to are marked dispatched when written, and never delivered.
    const unsubscribed = await emit(tenant, 'invoice.paid', { invoiceId: 'in_1' });
    expect((await owner('events').where({ id: unsubscribed }).first()).dispatched_at).not.toBeNull();

    // With no enabled endpoint left and nothing due, the drainer ends.
    await hub.request('PATCH', `/v1/webhooks/${webhook.id}`, { key: tenant.key, body: { enabled: false } });
    await recordHistory(hub.temporal, delivery!.workflowId, WORKFLOW_TYPES.webhookDrainer);
  });

  it('retries a failing receiver with the same webhook-id, honouring Retry-After: 3 failures then a success are 4 attempts', async () => {
    const tenant = await hub.createTenant();
    const webhook = await endpoint(tenant, ['sync.failed']);
    const eventId = await emit(tenant, 'sync.failed', { connectorId: 'c-2', error: 'boom' });
    receiver.respond(({ id, index }) => {
      if (id !== eventId) return { status: 200 };
      return [{ status: 500 }, { status: 500 }, { status: 503, headers: { 'Retry-After': '1' } }][index] ?? { status: 200 };
    });
    try {
      const attempts = await eventually(() => (receiver.byId(eventId).length >= 4 ? receiver.byId(eventId) : undefined), 30_000, 'four attempts');
      const [delivery] = await eventually(
        async () => {
          const list = await deliveries(tenant, webhook.id);
          return list[0]?.status === 'succeeded' ? list : undefined;
        },
        15_000,
        'the delivery to succeed',
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(receiver.byId(eventId)).toHaveLength(4);
      expect(new Set(attempts.map((entry) => entry.headers['webhook-id']))).toEqual(new Set([eventId]));
      for (const attempt of attempts) expect(() => new Webhook(webhook.secret).verify(attempt.body, attempt.headers)).not.toThrow();
      // Retry-After: 1 on the 503 was waited out (the schedule's own delay is 200 ms ± 20%).
      expect(attempts[3]!.receivedAt - attempts[2]!.receivedAt).toBeGreaterThanOrEqual(950);
      expect(delivery!.attempts.map((attempt) => [attempt.outcome, attempt.statusCode])).toEqual([
        ['failed', 500],
        ['failed', 500],
        ['failed', 503],
        ['succeeded', 200],
      ]);
      expect(delivery!.attempts[2]!.retryAfterMs).toBe(1_000);
    } finally {
      receiver.respond(() => ({ status: 200 }));
    }
  });

  it('re-sends a delivery on request: a new attempt with the same webhook-id', async () => {
    const tenant = await hub.createTenant();
    const webhook = await endpoint(tenant, ['sync.completed']);
    const eventId = await emit(tenant, 'sync.completed', { connectorId: 'c-3' });
    const [delivery] = await eventually(
      async () => {
        const list = await deliveries(tenant, webhook.id);
        return list[0]?.status === 'succeeded' ? list : undefined;
      },
      30_000,
      'the first delivery',
    );
    const retried = await hub.request('POST', `/v1/webhooks/${webhook.id}/deliveries/${delivery!.id}/retry`, { key: tenant.key });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ deliveryId: delivery!.id, workflowId: delivery!.workflowId });
    await eventually(() => (receiver.byId(eventId).length === 2 ? true : undefined), 30_000, 'the re-sent message');
    const [after] = await eventually(
      async () => {
        const list = await deliveries(tenant, webhook.id);
        return list[0]?.attempts.length === 2 && list[0].attempts[1]!.outcome === 'succeeded' ? list : undefined;
      },
      15_000,
      'the manual attempt to be recorded',
    );
    expect(after!.attempts.map((attempt) => attempt.trigger)).toEqual(['automatic', 'manual']);
    // Another tenant cannot see or re-send it.
    const other = await hub.createTenant();
    expect((await hub.request('POST', `/v1/webhooks/${webhook.id}/deliveries/${delivery!.id}/retry`, { key: other.key })).status).toBe(404);
    expect((await hub.request('GET', `/v1/webhooks/${webhook.id}/deliveries`, { key: other.key })).status).toBe(404);
  });

  it('disables an endpoint answering 410 Gone, notifies the admins and stops delivering to it', async () => {
    const tenant = await hub.createTenant();
    const webhook = await endpoint(tenant, ['sync.completed', 'sync.failed']);
    const eventId = await emit(tenant, 'sync.completed', { connectorId: 'c-4' });
    receiver.respond(({ id }) => (id === eventId ? { status: 410, body: 'endpoint retired' } : { status: 200 }));
    try {
      const disabled = await eventually(
        async () => {
          const shown = await hub.request('GET', `/v1/webhooks/${webhook.id}`, { key: tenant.key });
          return shown.body.webhook.enabled === false ? shown.body.webhook : undefined;
        },
        30_000,
        'the endpoint to be disabled',
      );
      expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
      expect(receiver.byId(eventId)).toHaveLength(1);
      const [delivery] = await deliveries(tenant, webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: [expect.objectContaining({ outcome: 'failed', statusCode: 410 })] });

      const notifications = await owner('notifications').where({ tenant_id: tenant.id });
      expect(notifications).toEqual([expect.objectContaining({ kind: 'webhook.endpoint_disabled', recipients: [`admin@${tenant.slug}.test`] })]);
      expect(notifications[0].data).toMatchObject({ endpointId: webhook.id, reason: 'gone' });
      expect(await owner('audit_log').where({ tenant_id: tenant.id, action: 'webhook.disabled' })).toHaveLength(1);
      expect(await owner('events').where({ tenant_id: tenant.id, type: 'webhook.endpoint.disabled' })).toHaveLength(1);

      // Nothing more goes to it; re-sending is refused until it is enabled again.
      const later = await emit(tenant, 'sync.failed', { connectorId: 'c-4' });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(receiver.byId(later)).toHaveLength(0);
      const retry = await hub.request('POST', `/v1/webhooks/${webhook.id}/deliveries/${delivery!.id}/retry`, { key: tenant.key });
      expect(retry.status).toBe(409);
      const enabled = await hub.request('PATCH', `/v1/webhooks/${webhook.id}`, { key: tenant.key, body: { enabled: true } });
      expect(enabled.body.webhook).toMatchObject({ enabled: true, disabledReason: null });
    } finally {
      receiver.respond(() => ({ status: 200 }));
    }
  });

  it('disables an endpoint whose deliveries keep failing past WEBHOOK_DISABLE_AFTER and notifies the tenant admins', async () => {
    // "Days" in production; two seconds here.
    const impatient = await startTestHub({ WEBHOOK_RETRY_SCHEDULE: '400ms,400ms,400ms,400ms,400ms,400ms,400ms,400ms', WEBHOOK_DISABLE_AFTER: '2s' });
    try {
      const tenant = await impatient.createTenant();
      await impatient.request('PATCH', '/v1/tenant', { key: tenant.key, body: { settings: { notifications: { emailRecipients: ['ops@example.test'] } } } });
      const created = await impatient.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: receiver.url, events: ['sync.failed'] } });
      const webhookId = created.body.webhook.id as string;
      const eventId = await impatient.db.withTenant(tenant.id, (trx) =>
        emitEvent(trx, { tenantId: tenant.id, type: 'sync.failed', data: { connectorId: 'c-5' } }),
      );
      receiver.respond(({ id }) => (id === eventId ? { status: 500 } : { status: 200 }));
      const disabled = await eventually(
        async () => {
          const shown = await impatient.request('GET', `/v1/webhooks/${webhookId}`, { key: tenant.key });
          return shown.body.webhook.enabled === false ? shown.body.webhook : undefined;
        },
        30_000,
        'the endpoint to be disabled',
      );
      expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'failing', failingSince: expect.any(String) });
      expect(receiver.byId(eventId).length).toBeGreaterThanOrEqual(3);
      const [notification] = await owner('notifications').where({ tenant_id: tenant.id });
      expect(notification).toMatchObject({ kind: 'webhook.endpoint_disabled', data: expect.objectContaining({ reason: 'failing', endpointId: webhookId }) });
      expect([...notification.recipients].sort()).toEqual([`admin@${tenant.slug}.test`, 'ops@example.test']);
      const attempts = receiver.byId(eventId).length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(receiver.byId(eventId)).toHaveLength(attempts);
    } finally {
      receiver.respond(() => ({ status: 200 }));
      await impatient.stop();
    }
  });

  it('refuses endpoints on private addresses when private networking is off, at registration and at delivery', async () => {
    const strict = await startTestHub({ HUB_ALLOW_PRIVATE_NETWORK: 'false' });
    try {
      const tenant = await strict.createTenant();
      for (const url of [
        receiver.url,
        'https://127.0.0.1/hooks',
        'https://10.1.2.3/hooks',
        'https://169.254.169.254/latest',
        'https://localhost/hooks',
        'https://2130706433/hooks',
        'https://[::1]/hooks',
        'ftp://example.com/x',
      ]) {
        const refused = await strict.request('POST', '/v1/webhooks', { key: tenant.key, body: { url, events: ['job.completed'] } });
        expect({ url, status: refused.status, code: refused.body.error.code, path: refused.body.error.details?.[0]?.path }).toEqual({
          url,
          status: 400,
          code: 'URL_NOT_ALLOWED',
          path: 'body.url',
        });
      }
      const patched = await hub.createTenant();
      const webhook = await endpoint(patched, ['job.completed']);
      const viaStrict = await strict.request('PATCH', `/v1/webhooks/${webhook.id}`, { key: patched.key, body: { url: 'https://192.168.0.10/x' } });
      expect(viaStrict.status).toBe(400);
    } finally {
      await strict.stop();
    }
    // At delivery, the connection is checked again after DNS (a name that later resolves inward).
    const send = createWebhookSender({ HUB_ALLOW_PRIVATE_NETWORK: false, HUB_NETWORK_ALLOWLIST: [], WEBHOOK_TIMEOUT: '5s' });
    const result = await send({
      url: receiver.url.replace('http:', 'https:'),
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      messageId: 'msg_1',
      body: '{}',
    });
    expect(result).toMatchObject({ outcome: 'refused', statusCode: null });
    expect(result.error).toContain('not a public address');
  });
});
