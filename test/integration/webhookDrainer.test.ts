import { emitEvent } from '../../platform/events/emitEvent';
import { type CreatedTenant } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

/**
 * The drainer's per-endpoint lanes: a slow endpoint does not hold back a fast one of the same
 * tenant, the circuit breaker opens on failures and probes its way back, and an ordered endpoint
 * gets its events one at a time in event order, a failing one holding the later ones back.
 */
describe('webhook drainer: endpoint isolation, circuit breaker, ordering', () => {
  const fast = useStarted(() => startWebhookReceiver());
  const slow = useStarted(() => startWebhookReceiver(() => ({ status: 200, delayMs: 10_000 })));
  const other = useStarted(() => startWebhookReceiver());
  const { hub, owner } = useHub({
    env: {
      WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms',
      WEBHOOK_BREAKER_MIN_REQUESTS: '4',
      WEBHOOK_BREAKER_FAILURE_RATIO: '0.5',
      WEBHOOK_BREAKER_WINDOW: '60s',
      WEBHOOK_BREAKER_COOLDOWN: '2s',
      WEBHOOK_DRAIN_IDLE: '2s',
    },
  });

  async function endpoint(tenant: CreatedTenant, receiver: WebhookReceiver, body: Record<string, unknown>) {
    const created = await hub.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: receiver.url, ...body } });
    expect(created.status).toBe(201);
    return created.body.webhook as { id: string; maxInFlight: number | null; rateLimitPerSecond: number | null; ordered: boolean };
  }

  async function emit(tenant: CreatedTenant, type: 'sync.completed' | 'job.completed', data: Record<string, unknown>) {
    return hub.db.withTenant(tenant.id, (trx) => emitEvent(trx, { tenantId: tenant.id, type, data }));
  }

  it('delivers to a fast endpoint while a slow one (10 s per request) holds only its own slots', async () => {
    const tenant = await hub.createTenant();
    const slowEndpoint = await endpoint(tenant, slow, { events: ['job.completed'], maxInFlight: 3 });
    const fastEndpoint = await endpoint(tenant, fast, { events: ['job.completed'] });
    expect(slowEndpoint.maxInFlight).toBe(3);
    const eventIds: string[] = [];
    for (let index = 0; index < 20; index += 1) eventIds.push(await emit(tenant, 'job.completed', { jobId: `job-${index}` }));

    await eventually(
      async () => {
        const rows = await owner('webhook_deliveries').where({ endpoint_id: fastEndpoint.id, status: 'succeeded' });
        return rows.length === eventIds.length ? rows : undefined;
      },
      60_000,
      'every delivery to the fast endpoint',
    );
    // By then the slow receiver has answered nothing yet, and holds no more than its cap.
    const slowRequests = slow.received.filter((entry) => eventIds.includes(entry.headers['webhook-id']!));
    expect(slowRequests.filter((entry) => entry.answered)).toHaveLength(0);
    expect(slowRequests.length).toBeLessThanOrEqual(3);
    expect(new Set(fast.received.map((entry) => entry.headers['webhook-id']))).toEqual(new Set(eventIds));
    const slowPending = await owner('webhook_deliveries').where({ endpoint_id: slowEndpoint.id }).whereNot({ status: 'succeeded' });
    expect(slowPending.length).toBeGreaterThanOrEqual(eventIds.length - 3);
    // Stop the slow endpoint so the rest of the file does not wait on it.
    await hub.request('DELETE', `/v1/webhooks/${slowEndpoint.id}`, { key: tenant.key });
  });

  it('opens the circuit breaker after failures, tells the other endpoints and the audit log, and closes it on a successful probe', async () => {
    const tenant = await hub.createTenant();
    let failing = true;
    fast.respond(() => (failing ? { status: 500 } : { status: 200 }));
    try {
      const flaky = await endpoint(tenant, fast, { events: ['sync.completed'], maxInFlight: 1 });
      await endpoint(tenant, other, { events: ['webhook.endpoint.failing'] });
      const eventIds: string[] = [];
      for (let index = 0; index < 6; index += 1) eventIds.push(await emit(tenant, 'sync.completed', { connectorId: `c-${index}` }));
      const byFlaky = () => fast.received.filter((entry) => eventIds.includes(entry.headers['webhook-id']!));

      const notice = await eventually(
        () => other.received.find((entry) => JSON.parse(entry.body).type === 'webhook.endpoint.failing'),
        30_000,
        'the webhook.endpoint.failing event at the other endpoint',
      );
      expect(JSON.parse(notice.body).data).toMatchObject({ endpointId: flaky.id, failureRatio: 1 });
      // Four failures (WEBHOOK_BREAKER_MIN_REQUESTS) opened it: nothing more went out meanwhile.
      expect(byFlaky()).toHaveLength(4);
      const shown = await hub.request('GET', `/v1/webhooks/${flaky.id}`, { key: tenant.key });
      expect(shown.body.webhook).toMatchObject({ enabled: true, breaker: { state: 'open', openedAt: expect.any(String) } });
      expect(await owner('audit_log').where({ tenant_id: tenant.id, action: 'webhook.failing' })).toHaveLength(1);

      // After the cooldown one probe goes out (it fails: open again), then one succeeds: closed, and the rest flows.
      await eventually(() => (byFlaky().length >= 5 ? true : undefined), 30_000, 'the first half-open probe');
      failing = false;
      await eventually(
        async () => {
          const rows = await owner('webhook_deliveries').where({ endpoint_id: flaky.id, status: 'succeeded' });
          return rows.length === eventIds.length ? rows : undefined;
        },
        60_000,
        'every delivery after the breaker closed',
      );
      const closed = await hub.request('GET', `/v1/webhooks/${flaky.id}`, { key: tenant.key });
      expect(closed.body.webhook.breaker).toEqual({ state: 'closed', openedAt: null });
      // One opening is announced once (the failed probe re-opened it without a second event).
      expect(await owner('events').where({ tenant_id: tenant.id, type: 'webhook.endpoint.failing' })).toHaveLength(1);
      const failingDeliveries = await owner('webhook_deliveries').where({ event_type: 'webhook.endpoint.failing', tenant_id: tenant.id });
      expect(failingDeliveries.map((row) => row.endpoint_id)).not.toContain(flaky.id);
    } finally {
      fast.respond(() => ({ status: 200 }));
    }
  });

  it('delivers an ordered endpoint one event at a time in event order, a failing event holding back the later ones', async () => {
    const tenant = await hub.createTenant();
    const eventIds: string[] = [];
    other.respond(({ id, index }) => (id === eventIds[1] && index < 2 ? { status: 500 } : { status: 200 }));
    try {
      const ordered = await endpoint(tenant, other, { events: ['job.completed'], ordered: true });
      expect(ordered.ordered).toBe(true);
      for (let index = 0; index < 6; index += 1) eventIds.push(await emit(tenant, 'job.completed', { jobId: `ordered-${index}` }));
      await eventually(
        async () => {
          const rows = await owner('webhook_deliveries').where({ endpoint_id: ordered.id, status: 'succeeded' });
          return rows.length === eventIds.length ? rows : undefined;
        },
        60_000,
        'every ordered delivery',
      );
      const sequence = other.received.map((entry) => entry.headers['webhook-id']).filter((id) => eventIds.includes(id!));
      expect(sequence).toEqual([eventIds[0], eventIds[1], eventIds[1], eventIds[1], eventIds[2], eventIds[3], eventIds[4], eventIds[5]]);

      // PATCH turns ordering off and sets limits.
      const patched = await hub.request('PATCH', `/v1/webhooks/${ordered.id}`, {
        key: tenant.key,
        body: { ordered: false, maxInFlight: 10, rateLimitPerSecond: 5 },
      });
      expect(patched.body.webhook).toMatchObject({ ordered: false, maxInFlight: 10, rateLimitPerSecond: 5 });
      const refused = await hub.request('PATCH', `/v1/webhooks/${ordered.id}`, { key: tenant.key, body: { maxInFlight: 0 } });
      expect(refused.status).toBe(400);
    } finally {
      other.respond(() => ({ status: 200 }));
    }
  });
});
