import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { closedExecutionStatus } from '../support/closedExecution';
import { recordHistory } from '../support/recordHistory';
import { useHub } from '../support/harness';
import { jobWhen } from '../support/jobs';
import { eventually } from '../support/eventually';
import { storedNames } from '../support/storedFiles';
import { pauseSignal, WORKFLOW_TYPES } from '../../workflows/contracts';

/** A user id of this file's own (the file also runs in the s3 project, at the same time, on the same database). */
const KNOWN_USER_ID = randomUUID();

/** Jobs API end to end with the `export` kind: start → live progress → file → download; cancel. */
describe('jobs: export', () => {
  const {
    hub,
    tenants: [tenant, other],
    owner,
  } = useHub({ tenants: [{ plan: 'enterprise' }, {}] });

  beforeAll(async () => {
    // 1,200 users besides the admin, one of them with a name a spreadsheet would execute.
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role, status)
       select gen_random_uuid(), ?, 'user' || n || '@example.test', 'User ' || n, 'member', 'active' from generate_series(1, 1199) n`,
      [tenant.id],
    );
    await owner('users').insert({
      id: KNOWN_USER_ID,
      tenant_id: tenant.id,
      email: 'evil@example.test',
      name: '=HYPERLINK("http://x","y")',
      role: 'viewer',
      status: 'active',
    });
  });

  async function finished(jobId: string, key = tenant.key) {
    return eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${jobId}`, { key });
        return ['completed', 'failed', 'cancelled'].includes(response.body.job.status) ? response.body.job : undefined;
      },
      60_000,
      `job ${jobId} to finish`,
    );
  }

  it('exports users as CSV with formula cells escaped, downloadable once done', async () => {
    const started = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } });
    expect(started.status).toBe(202);
    expect(started.body.job).toMatchObject({ kind: 'export', status: 'queued', workflowId: `job/${tenant.slug}/export/${started.body.job.id}` });
    expect(started.body.job.temporalUiUrl).toContain(encodeURIComponent(started.body.job.workflowId));

    const job = await finished(started.body.job.id);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ dataset: 'users', format: 'csv', rows: 1201 });
    expect(job.progress).toMatchObject({ phase: 'completed', done: 1201, total: 1201, state: 'completed' });

    const download = await fetch(`${hub.url}/v1/jobs/${job.id}/download`, { headers: { 'X-API-Key': tenant.key } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('text/csv');
    expect(download.headers.get('content-disposition')).toContain('.csv');
    const rows = parse(await download.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(1201);
    expect(new Set(rows.map((row) => row.email)).size).toBe(1201);
    expect(rows.find((row) => row.email === 'evil@example.test')!.name).toBe(`'=HYPERLINK("http://x","y")`);

    const audit = await owner('audit_log').where({ tenant_id: tenant.id }).whereIn('action', ['job.started', 'job.output_downloaded']).orderBy('seq');
    expect(audit.map((row) => row.action)).toEqual(['job.started', 'job.output_downloaded']);
    await recordHistory(hub.temporal, job.workflowId, WORKFLOW_TYPES.exportJob);

    // The outcome is in the event outbox, once, written with the job row.
    const events = await owner('events').where({ tenant_id: tenant.id, type: 'job.completed' });
    expect(events.filter((event) => event.data.jobId === job.id)).toHaveLength(1);
    expect(events.find((event) => event.data.jobId === job.id)!.data).toMatchObject({ kind: 'export', status: 'completed', result: { rows: 1201 } });
  });

  it.each(['json', 'ndjson'])('exports the audit log as %s', async (format) => {
    const started = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'audit_logs', format } } });
    const job = await finished(started.body.job.id);
    expect(job.status).toBe('completed');
    const text = await (await fetch(`${hub.url}/v1/jobs/${job.id}/download`, { headers: { 'X-API-Key': tenant.key } })).text();
    const entries =
      format === 'json'
        ? (JSON.parse(text) as unknown[])
        : text
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as unknown);
    expect(entries.length).toBe(job.result.rows);
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries[0]).toMatchObject({ seq: '1', action: 'tenant.created' });
  });

  it('pauses at a batch boundary, then cancels: no output is left behind', async () => {
    // Enough rows for several 50,000-row chunks.
    const bulk = await hub.createTenant({ plan: 'enterprise' });
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role) select gen_random_uuid(), ?, 'bulk' || n || '@example.test', 'Bulk ' || n, 'viewer' from generate_series(1, 160000) n`,
      [bulk.id],
    );
    const started = await hub.request('POST', '/v1/jobs', { key: bulk.key, body: { kind: 'export', params: { dataset: 'users', format: 'ndjson' } } });
    await hub.temporal.workflow.getHandle(started.body.job.workflowId).signal(pauseSignal);
    const paused = await jobWhen(hub, bulk, started.body.job.id as string, (job) => job.status === 'paused', 'the job to pause');
    expect(paused.progress.state).toBe('paused');
    expect(paused.progress.done).toBeLessThan(160_001);

    const cancel = await hub.request('POST', `/v1/jobs/${started.body.job.id}/cancel`, { key: bulk.key });
    expect(cancel.status).toBe(202);
    const job = await finished(started.body.job.id, bulk.key);
    expect(job.status).toBe('cancelled');
    expect(job.error).toMatchObject({ code: 'CANCELLED' });
    expect(await closedExecutionStatus(hub.temporal, job.workflowId)).toBe('CANCELLED');
    await recordHistory(hub.temporal, job.workflowId, 'exportJobPausedThenCancelled');

    expect(await owner('files').where({ tenant_id: bulk.id })).toEqual([]);
    expect(await owner('events').where({ tenant_id: bulk.id }).whereIn('type', ['job.completed', 'job.failed'])).toEqual([]);
    expect(await storedNames(hub.files, bulk.id)).toEqual([]);
    expect((await hub.request('GET', `/v1/jobs/${job.id}/download`, { key: bulk.key })).status).toBe(404);
    const again = await hub.request('POST', `/v1/jobs/${job.id}/cancel`, { key: bulk.key });
    expect(again.status).toBe(409);
  });

  it('lists jobs with filters and hides other tenants’ jobs (404)', async () => {
    const list = await hub.request('GET', '/v1/jobs?kind=export&status=completed', { key: tenant.key });
    expect(list.status).toBe(200);
    expect(list.body.data.length).toBeGreaterThanOrEqual(3);
    expect(list.body.data.every((job: { kind: string; status: string }) => job.kind === 'export' && job.status === 'completed')).toBe(true);
    const someone = list.body.data[0].id as string;
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/cancel'],
      ['GET', '/download'],
    ] as const) {
      const response = await hub.request(method, `/v1/jobs/${someone}${suffix}`, { key: other.key });
      expect([method, suffix, response.status]).toEqual([method, suffix, 404]);
    }
    expect((await hub.request('GET', '/v1/jobs', { key: other.key })).body.data).toEqual([]);
  });

  it('refuses unknown kinds and bad parameters with 400 naming the field', async () => {
    const unknown = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'teleport', params: {} } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('UNKNOWN_JOB_KIND');
    const bad = await hub.request('POST', '/v1/jobs', {
      key: tenant.key,
      body: { kind: 'export', params: { dataset: 'users', format: 'docx', tenant_id: 'x' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(['body.params', 'body.params.format']);
  });
});
