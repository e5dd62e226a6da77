import { emitEvent } from '../../platform/events/emitEvent';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { startWebhookReceiver } from '../support/webhookReceiver';

/**
 * A worker process killed (SIGKILL) while its drain has deliveries in flight: the drain resumes on
 * another worker, the lost attempts are recorded as interrupted and sent again, and every event
 * ends with exactly one successful attempt. Duplicates at the receiver are only the attempts that
 * were in flight at the kill.
 */
describe('webhooks: a worker killed mid-delivery', () => {
  const receiver = useStarted(() => startWebhookReceiver());
  // API only: the deliveries run in worker processes this test starts and kills.
  const { hub, owner } = useHub({ env: { WEBHOOK_RETRY_SCHEDULE: '300ms,300ms,300ms,300ms' }, worker: false });
  const workers: WorkerProcess[] = [];

  afterAll(async () => {
    for (const worker of workers) await worker.kill();
  });

  async function startWorker(): Promise<WorkerProcess> {
    const worker = await startWorkerProcess(
      hub,
      { WEBHOOK_RETRY_SCHEDULE: '300ms,300ms,300ms,300ms', HUB_FILES_DIR: hub.config.HUB_FILES_DIR ?? '' },
      { startTimeoutMs: 120_000 },
    );
    workers.push(worker);
    return worker;
  }

  it('yields exactly one successful attempt per event', async () => {
    const first = await startWorker();
    const tenant = await hub.createTenant();
    const created = await hub.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: receiver.url, events: ['job.completed'] } });
    expect(created.status).toBe(201);
    const webhookId = created.body.webhook.id as string;
    // First requests are held for a while (the worker dies meanwhile); later ones are answered at once.
    receiver.respond(({ index }) => (index === 0 ? { status: 200, delayMs: 4_000 } : { status: 200 }));

    const eventIds: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      eventIds.push(
        await hub.db.withTenant(tenant.id, (trx) => emitEvent(trx, { tenantId: tenant.id, type: 'job.completed', data: { jobId: `job-${index}` } })),
      );
    }
    await eventually(() => (eventIds.every((id) => receiver.byId(id).length === 1) ? true : undefined), 60_000, 'every event to reach the receiver');
    await first.kill();

    await startWorker();
    const delivered = await eventually(
      async () => {
        const rows = await owner('webhook_deliveries').where({ endpoint_id: webhookId });
        return rows.length === 5 && rows.every((row) => row.status === 'succeeded') ? rows : undefined;
      },
      90_000,
      'every delivery to succeed on the second worker',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    for (const eventId of eventIds) {
      const delivery = delivered.find((row) => row.event_id === eventId)!;
      const attempts = await owner('webhook_attempts').where({ delivery_id: delivery.id }).orderBy('started_at');
      expect({ eventId, outcomes: attempts.map((attempt) => attempt.outcome) }).toEqual({ eventId, outcomes: ['interrupted', 'succeeded'] });
      // The receiver answered one request per event: the first never got its answer back to the dead worker.
      const requests = receiver.byId(eventId);
      expect({ eventId, requests: requests.length, answered: requests.filter((request) => request.answered).length }).toEqual({
        eventId,
        requests: 2,
        answered: 1,
      });
      expect(requests[0]!.answered).toBe(false);
    }
    const listed = await hub.request('GET', `/v1/webhooks/${webhookId}/deliveries`, { key: tenant.key });
    expect(listed.body.data[0].attempts[0]).toMatchObject({ outcome: 'interrupted', error: expect.stringContaining('unknown') });
  });

  it('a SIGKILL mid-burst: every event delivered, every attempt recorded, duplicates only for attempts in flight at the kill', async () => {
    // The previous test's workers go first: the burst's drain must run on the worker that is killed.
    for (const worker of workers.splice(0)) await worker.kill();
    const first = await startWorker();
    const tenant = await hub.createTenant();
    const created = await hub.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: receiver.url, events: ['sync.completed'], maxInFlight: 20 } });
    expect(created.status).toBe(201);
    const webhookId = created.body.webhook.id as string;
    // Answers take a little while, so the drain keeps its 20 requests in flight.
    receiver.respond(() => ({ status: 200, delayMs: 200 }));
    const EVENTS = 600;
    const eventIds: string[] = [];
    for (let batch = 0; batch < EVENTS; batch += 100) {
      eventIds.push(
        ...(await hub.db.withTenant(tenant.id, async (trx) => {
          const ids: string[] = [];
          for (let index = batch; index < batch + 100; index += 1)
            ids.push(await emitEvent(trx, { tenantId: tenant.id, type: 'sync.completed', data: { connectorId: `c-${index}` } }));
          return ids;
        })),
      );
    }
    const ours = () => receiver.received.filter((entry) => eventIds.includes(entry.headers['webhook-id']!));
    await eventually(() => (ours().length >= 100 ? true : undefined), 60_000, 'the burst to be under way');
    await first.kill();
    const receivedBeforeRestart = ours().length;

    await startWorker();
    const delivered = await eventually(
      async () => {
        const rows = await owner('webhook_deliveries').where({ endpoint_id: webhookId });
        return rows.length === EVENTS && rows.every((row) => row.status === 'succeeded') ? rows : undefined;
      },
      120_000,
      'every delivery to succeed after the restart',
    );
    const attempts = await owner('webhook_attempts').whereIn(
      'delivery_id',
      delivered.map((row) => row.id),
    );
    const byDelivery = new Map<string, string[]>();
    for (const attempt of attempts) byDelivery.set(attempt.delivery_id, [...(byDelivery.get(attempt.delivery_id) ?? []), attempt.outcome]);
    // Every attempt is recorded: one success per delivery, the others interrupted by the kill; none left in flight.
    for (const row of delivered) {
      const outcomes = byDelivery.get(row.id) ?? [];
      expect({ delivery: row.id, succeeded: outcomes.filter((outcome) => outcome === 'succeeded').length }).toEqual({ delivery: row.id, succeeded: 1 });
      expect(outcomes.every((outcome) => outcome === 'succeeded' || outcome === 'interrupted')).toBe(true);
    }
    const interrupted = attempts.filter((attempt) => attempt.outcome === 'interrupted').length;
    expect(interrupted).toBeGreaterThan(0);
    // Every event reached the receiver; a second request only for events whose attempt was in flight at the kill.
    const requests = ours();
    const perEvent = new Map<string, number>();
    for (const entry of requests) perEvent.set(entry.headers['webhook-id']!, (perEvent.get(entry.headers['webhook-id']!) ?? 0) + 1);
    expect(eventIds.filter((id) => !perEvent.has(id))).toEqual([]);
    const duplicates = requests.length - EVENTS;
    for (const row of delivered) {
      const sent = perEvent.get(row.event_id)!;
      const lost = (byDelivery.get(row.id) ?? []).filter((outcome) => outcome === 'interrupted').length;
      expect({ event: row.event_id, extra: sent - 1 <= lost }).toEqual({ event: row.event_id, extra: true });
    }
    expect(duplicates).toBeLessThanOrEqual(interrupted);
    console.log(
      `webhook crash test: ${EVENTS} events, ${receivedBeforeRestart} requests before the restart, ${interrupted} attempts interrupted by the kill, ${duplicates} duplicate requests at the receiver`,
    );
    receiver.respond(() => ({ status: 200 }));
  });
});
