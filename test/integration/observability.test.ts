import { Writable } from 'node:stream';
import { emitEvent } from '../../platform/events/emitEvent';
import { serveWorkerMetrics } from '../../platform/temporal/workerMetricsServer';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { startWebhookReceiver } from '../support/webhookReceiver';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import { taskQueueOf } from '../../platform/temporal/taskQueues';

// The package ships no types: a list of metric families, each with its samples.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => Array<{
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }>;
}>;

/** /metrics (parsed with a Prometheus text-format parser) and the context structured logs carry. */
describe('observability: metrics and structured logs', () => {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const receiver = useStarted(() => startWebhookReceiver());
  const { hub, tenant } = useHub({ env: { LOG_LEVEL: 'info', WEBHOOK_RETRY_SCHEDULE: '200ms,200ms' }, logDestination: destination, tenants: [{}] });

  it('serves the named series after traffic, in valid Prometheus text format, Temporal worker metrics included', async () => {
    expect((await hub.request('GET', '/v1/tenant', { key: tenant.key })).status).toBe(200);
    expect((await hub.request('GET', '/v1/users/not-a-uuid', { key: tenant.key })).status).toBe(400);
    const job = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'json' } } });
    const webhook = await hub.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: receiver.url, events: ['job.completed', 'sync.failed'] } });
    expect(webhook.status).toBe(201);
    await eventually(() => receiver.received.find((entry) => entry.body.includes(job.body.job.id)), 60_000, 'the job.completed webhook');
    // One failed attempt, then a success.
    const eventId = await hub.db.withTenant(tenant.id, (trx) => emitEvent(trx, { tenantId: tenant.id, type: 'sync.failed', data: { connectorId: 'c-1' } }));
    receiver.respond(({ id, index }) => (id === eventId && index === 0 ? { status: 500 } : { status: 200 }));
    await eventually(() => (receiver.byId(eventId).length === 2 ? true : undefined), 30_000, 'the retried webhook');
    // The receiver answers before the delivery activity counts its outcome, and the export's workflow
    // closes after its job row: wait for those series rather than sleep.
    const sampleIn = (families: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string>) =>
      families
        .find((candidate) => candidate.name === name)
        ?.metrics.find((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value));
    const response = await eventually(
      async () => {
        const candidate = await fetch(`${hub.url}/metrics`, { headers: { Authorization: `Bearer ${hub.adminToken}` } });
        const text = await candidate.text();
        const families = parsePrometheusTextFormat(text);
        const settled =
          Number(sampleIn(families, 'hub_webhook_deliveries_total', { outcome: 'succeeded' })?.value ?? 0) >= 2 &&
          Number(sampleIn(families, 'hub_webhook_deliveries_total', { outcome: 'failed' })?.value ?? 0) >= 1 &&
          sampleIn(families, 'temporal_workflow_completed', { workflow_type: WORKFLOW_TYPES.exportJob }) !== undefined;
        return settled ? { status: candidate.status, contentType: candidate.headers.get('content-type'), text, families } : undefined;
      },
      30_000,
      'the webhook delivery counters',
    );
    expect(response.status).toBe(200);
    expect(response.contentType).toContain('text/plain');
    const { text, families } = response;
    const family = (name: string) => families.find((candidate) => candidate.name === name);
    const sample = (name: string, labels: Record<string, string>) => sampleIn(families, name, labels);

    expect(family('hub_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    // (The parser folds labelled histogram samples together; read those series from the text.)
    const histogramCount = (name: string, labels: string) =>
      Number(new RegExp(`^${name}_count\\{${labels.replace(/[/]/g, '\\/')}\\} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(histogramCount('hub_http_request_duration_seconds', 'method="GET",route="/v1/tenant",status="200"')).toBeGreaterThanOrEqual(1);
    expect(histogramCount('hub_http_request_duration_seconds', 'method="GET",route="/v1/users/:id",status="400"')).toBe(1);
    expect(Number(sample('hub_jobs_finished_total', { kind: 'export', outcome: 'completed' })?.value)).toBe(1);
    expect(family('hub_syncs_finished_total')?.type).toBe('COUNTER');
    expect(Number(sample('hub_webhook_deliveries_total', { outcome: 'succeeded' })?.value)).toBe(2);
    expect(Number(sample('hub_webhook_deliveries_total', { outcome: 'failed' })?.value)).toBe(1);
    expect(family('hub_webhook_delivery_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(histogramCount('hub_webhook_delivery_duration_seconds', 'outcome="succeeded"')).toBe(2);
    // The Temporal SDK's worker metrics, bridged into the same registry.
    const temporalFamilies = families.filter((candidate) => candidate.name.startsWith('temporal_')).map((candidate) => candidate.name);
    expect(temporalFamilies).toEqual(
      expect.arrayContaining(['temporal_workflow_completed', 'temporal_activity_execution_latency', 'temporal_worker_task_slots_available']),
    );
    // Exports are bulk work: they run on the bulk task queue (platform/temporal/taskQueues.ts).
    expect(sample('temporal_workflow_completed', { task_queue: taskQueueOf(hub.config, 'bulk'), workflow_type: WORKFLOW_TYPES.exportJob })).toBeDefined();

    // The worker's own endpoint (WORKER_METRICS_PORT) serves the same registry.
    const server = await serveWorkerMetrics(hub.metrics, 0, '127.0.0.1');
    try {
      const workerText = await (await fetch(server.url)).text();
      expect(parsePrometheusTextFormat(workerText).some((candidate) => candidate.name === 'hub_jobs_finished_total')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('logs carry requestId and tenantId (API) and workflowId, runId, activityType and tenantId (activities)', () => {
    const request = lines.find((line) => line.msg === 'request completed' && (line.req as { url?: string })?.url === '/v1/tenant');
    expect(request).toMatchObject({ requestId: expect.any(String), tenantId: tenant.id });
    const attempt = lines.find((line) => line.msg === 'webhook attempt failed');
    expect(attempt).toMatchObject({
      tenantId: tenant.id,
      activityType: 'drainWebhookDeliveries',
      workflowId: `webhooks/${tenant.slug}/drainer`,
      runId: expect.any(String),
      statusCode: 500,
    });
  });
});
