import { emitEvent } from '../../platform/events/emitEvent';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { startWebhookReceiver } from '../support/webhookReceiver';

/**
 * A worker process killed (SIGKILL) while its deliveries wait for the receiver's answer: the
 * attempts are retried on another worker, and every event ends with exactly one successful
 * attempt, one answered request at the receiver, and the lost attempt recorded as interrupted.
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
});
