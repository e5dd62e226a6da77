import { type CreatedTenant } from '../support/hub';
import { useHub } from '../support/harness';
import { usersCsv } from '../support/importFiles';
import { eventually } from '../support/eventually';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

const ROWS = 60_000;

/**
 * Exactly the right users when the worker dies mid-import: the worker is a child process killed
 * with SIGKILL while batches are being applied; a new worker resumes the job, skips the batches
 * already committed (their markers) and applies the rest.
 */
describe('user_import when the worker crashes', () => {
  const { hub, owner } = useHub({ worker: false });
  let worker: WorkerProcess;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    worker = await startWorkerProcess(hub);
    // After the worker: onboarding a tenant runs a workflow.
    tenant = await hub.createTenant();
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('killing the worker while batches are applied still ends with exactly the right users', async () => {
    const csv = usersCsv(ROWS, { prefix: 'crash' });
    const uploaded = await hub.request('POST', '/v1/uploads?name=crash.csv', { key: tenant.key, rawBody: csv, headers: { 'Content-Type': 'text/csv' } });
    expect(uploaded.status).toBe(201);
    const started = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'user_import', params: { uploadId: uploaded.body.upload.id } } });
    const jobId = started.body.job.id as string;
    const batches = async () => Number((await owner('user_import_batches').where({ tenant_id: tenant.id, job_id: jobId }).count({ n: '*' }))[0]!.n);

    await eventually(async () => ((await batches()) >= 3 ? true : undefined), 60_000, 'the first applied batches');
    await worker.kill();
    const atCrash = await batches();
    expect(atCrash).toBeLessThan(ROWS / 1_000);

    worker = await startWorkerProcess(hub);
    const job = await eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${jobId}`, { key: tenant.key });
        return ['completed', 'completed_with_errors', 'failed', 'cancelled'].includes(response.body.job.status) ? response.body.job : undefined;
      },
      120_000,
      'the import to finish after the crash',
    );
    expect(job).toMatchObject({ status: 'completed', result: { rows: ROWS, imported: ROWS, updated: 0, failed: 0 } });
    const imported = await owner('users').where({ tenant_id: tenant.id }).where('email', 'like', 'crash%').select('email', 'name', 'role');
    expect(imported).toHaveLength(ROWS);
    expect(imported.find((user) => user.email === 'crash30000@example.test')).toEqual({
      email: 'crash30000@example.test',
      name: 'User 30000',
      role: 'manager',
    });
    expect(await batches()).toBe(ROWS / 1_000);
  });
});
