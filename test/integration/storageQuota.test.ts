import { randomUUID } from 'node:crypto';
import { PLANS } from '../../platform/billing/catalogue';
import { ensureFileExpirySchedule } from '../../platform/files/fileExpirySchedule';
import { createLogger } from '../../platform/logger';
import { eventually } from '../support/eventually';
import { useHub } from '../support/harness';
import { type CreatedTenant, uniqueSuffix } from '../support/hub';
import { finishedJob } from '../support/jobs';
import { recordHistory } from '../support/recordHistory';
import { storedNames } from '../support/storedFiles';
import { type FileExpiryResult, WORKFLOW_TYPES } from '../../workflows/contracts';

/** A user id of this file's own (the file also runs in the s3 project, at the same time, on the same database). */
const KNOWN_USER_ID = randomUUID();

/**
 * Per-plan storage quota (uploads and job outputs, counted in `storage_usage` by triggers on
 * `files`) and the file-expiry schedule that frees it. Each test shrinks the professional plan's
 * quota for its own tenant (the plan catalogue is this process's: the API and the worker run here).
 */
describe('storage quota and file expiry', () => {
  const { hub, owner } = useHub();

  afterEach(() => jest.restoreAllMocks());

  const quota = (bytes: number) => jest.replaceProperty(PLANS.professional, 'storageBytes', bytes);
  const storedObjects = (tenant: CreatedTenant) => storedNames(hub.files, tenant.id);
  const upload = (tenant: CreatedTenant, body: string, name = 'data.csv') =>
    hub.request('POST', `/v1/uploads?name=${name}`, { key: tenant.key, rawBody: body, headers: { 'Content-Type': 'text/csv' } });
  const storage = async (tenant: CreatedTenant) => (await hub.request('GET', '/v1/usage', { key: tenant.key })).body.storage;
  const fileRows = (tenant: CreatedTenant) => owner('files').where({ tenant_id: tenant.id }).orderBy('created_at');

  it('refuses an upload past the quota with 413 STORAGE_QUOTA_EXCEEDED, keeping neither bytes nor row; usage shows it', async () => {
    const tenant = await hub.createTenant({ plan: 'professional' });
    quota(100);
    const first = await upload(tenant, 'x'.repeat(60));
    expect(first.status).toBe(201);
    const expiresIn = Date.parse(first.body.upload.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * 86_400_000 - 60_000); // HUB_FILE_RETENTION's default
    expect(expiresIn).toBeLessThanOrEqual(7 * 86_400_000);
    expect(await storage(tenant)).toEqual({ usedBytes: 60, files: 1, quotaBytes: 100, remainingBytes: 40, retentionSeconds: 7 * 86_400 });

    const refused = await upload(tenant, 'y'.repeat(60), 'more.csv');
    expect(refused.status).toBe(413);
    expect(refused.body.error).toMatchObject({ code: 'STORAGE_QUOTA_EXCEEDED', message: expect.stringContaining('100 bytes') });
    expect((await fileRows(tenant)).map((row) => row.id)).toEqual([first.body.upload.id]);
    expect(await storedObjects(tenant)).toEqual([first.body.upload.id]);

    // Exactly what is left fits; then the tenant is full and even one byte is refused before it is read.
    expect((await upload(tenant, 'z'.repeat(40))).status).toBe(201);
    const full = await upload(tenant, 'z');
    expect(full.status).toBe(413);
    expect(full.body.error.code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect(await storage(tenant)).toMatchObject({ usedBytes: 100, files: 2, remainingBytes: 0 });
    expect(await storedObjects(tenant)).toHaveLength(2);
  });

  it('admits concurrent uploads only as far as the quota goes (the counter row serialises them)', async () => {
    const tenant = await hub.createTenant({ plan: 'professional' });
    quota(100);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, index) => upload(tenant, String(index).repeat(30), `part-${index}.csv`)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 201, 413, 413, 413]);
    expect(await storage(tenant)).toMatchObject({ usedBytes: 90, files: 3 });
    const admitted = answers.filter((answer) => answer.status === 201).map((answer) => answer.body.upload.id as string);
    expect((await fileRows(tenant)).map((row) => row.id).sort()).toEqual(admitted.sort());
    expect(await storedObjects(tenant)).toEqual(admitted.sort());
    const [counted] = await owner('files').where({ tenant_id: tenant.id }).sum({ bytes: 'size' });
    expect(Number(counted!.bytes)).toBe(90);
  });

  it('refuses an export when storage is full (413), and fails one whose output outgrows the quota, deleting what it wrote', async () => {
    const tenant = await hub.createTenant({ plan: 'professional' });
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role, status)
       select gen_random_uuid(), ?, 'user' || n || '@example.test', 'User ' || n, 'member', 'active' from generate_series(1, 2000) n`,
      [tenant.id],
    );
    const exportUsers = () => hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } });

    // A complete export measures the output.
    const done = await finishedJob(hub, tenant, (await exportUsers()).body.job.id);
    expect(done.status).toBe('completed');
    const outputBytes = done.result.file.size as number;
    const used = (await storage(tenant)).usedBytes as number;
    expect(used).toBe(outputBytes);

    // Full: refused at the start, no job recorded.
    quota(used);
    const jobsBefore = await owner('jobs').where({ tenant_id: tenant.id }).count({ n: '*' });
    const refused = await exportUsers();
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect(await owner('jobs').where({ tenant_id: tenant.id }).count({ n: '*' })).toEqual(jobsBefore);

    const expectFailedAndClean = async (jobId: string, phase: string) => {
      const job = await finishedJob(hub, tenant, jobId);
      expect(job.status).toBe('failed');
      expect(job.progress.phase).toBe(phase);
      expect(job.error).toMatchObject({ code: 'STORAGE_QUOTA_EXCEEDED', message: expect.stringContaining('storage quota') });
      expect((await fileRows(tenant)).map((row) => row.id)).toEqual([done.id]);
      expect(await storedObjects(tenant)).toEqual([done.id]);
      expect((await storage(tenant)).usedBytes).toBe(used);
      expect((await hub.request('GET', `/v1/jobs/${jobId}/download`, { key: tenant.key })).status).toBe(404);
    };
    // Room for 500 bytes: the first chunk of rows already outgrows it.
    quota(used + 500);
    await expectFailedAndClean((await exportUsers()).body.job.id, 'export');
    // Room for one byte less than the output: the staged rows fit, the finished file (with its header) does not.
    quota(used + outputBytes - 1);
    await expectFailedAndClean((await exportUsers()).body.job.id, 'finalize');
  });

  it('the file-expiry schedule deletes expired uploads and expires outputs (410), keeping uploads a running job reads, and frees the quota', async () => {
    const tenant = await hub.createTenant({ plan: 'professional' });
    const expired = await upload(tenant, 'email,name,role\n', 'old.csv');
    const inUse = await upload(tenant, 'email,name,role\na@example.test,A,member\n', 'in-use.csv');
    const fresh = await upload(tenant, 'email\n', 'fresh.csv');
    const exported = await finishedJob(
      hub,
      tenant,
      (await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } })).body.job.id,
    );
    expect(exported.status).toBe('completed');
    const usedBefore = (await storage(tenant)).usedBytes as number;
    quota(usedBefore);
    expect((await upload(tenant, 'over')).status).toBe(413);

    // A job that still reads its upload keeps it past its expiry.
    await owner('jobs').insert({
      id: KNOWN_USER_ID,
      tenant_id: tenant.id,
      kind: 'user_import',
      status: 'running',
      params: JSON.stringify({ uploadId: inUse.body.upload.id }),
      workflow_id: `job/${tenant.slug}/user_import/00000000-0000-4000-8000-0000000000aa`,
    });
    // Time passes for three of the files.
    await owner('files')
      .whereIn('id', [expired.body.upload.id, inUse.body.upload.id, exported.id])
      .update({ expires_at: owner.raw(`now() - interval '1 minute'`) });

    const logger = createLogger({ name: 'test', level: 'silent' });
    const scheduleId = `file-expiry-test-${uniqueSuffix()}`;
    expect(await ensureFileExpirySchedule(hub.temporal, hub.config, logger, scheduleId)).toBe('created');
    expect(await ensureFileExpirySchedule(hub.temporal, hub.config, logger, scheduleId)).toBe('updated');
    const schedule = hub.temporal.schedule.getHandle(scheduleId);
    try {
      const described = await schedule.describe();
      expect(described.action).toMatchObject({ workflowType: WORKFLOW_TYPES.fileExpiry, taskQueue: hub.config.TEMPORAL_TASK_QUEUE });
      expect(described.spec.intervals).toMatchObject([{ every: 3_600_000 }]); // HUB_FILE_EXPIRY_INTERVAL's default
      await schedule.trigger();
      const run = await eventually(
        async () => {
          const action = (await schedule.describe()).info.recentActions[0]?.action;
          return action ? { workflowId: action.workflow.workflowId, runId: action.workflow.firstExecutionRunId } : undefined;
        },
        30_000,
        'the schedule to start a run',
      );
      const result = (await hub.temporal.workflow.getHandle(run.workflowId, run.runId).result()) as FileExpiryResult;
      expect(result.uploads).toBeGreaterThanOrEqual(1);
      expect(result.outputs).toBeGreaterThanOrEqual(1);
      expect(result.tenants).toBeGreaterThanOrEqual(1);
      await recordHistory(hub.temporal, run.workflowId, WORKFLOW_TYPES.fileExpiry, run.runId);
    } finally {
      await schedule.delete();
    }

    // The expired upload is gone (row and bytes), the output expired (row marked, bytes gone).
    const rows = await fileRows(tenant);
    expect(rows.map((row) => row.id).sort()).toEqual([inUse.body.upload.id, fresh.body.upload.id, exported.id].sort());
    expect(rows.find((row) => row.id === exported.id)!.expired_at).toBeInstanceOf(Date);
    expect(await storedObjects(tenant)).toEqual([inUse.body.upload.id, fresh.body.upload.id].sort());
    const download = await hub.request('GET', `/v1/jobs/${exported.id}/download`, { key: tenant.key });
    expect(download.status).toBe(410);
    expect(download.body.error).toMatchObject({ code: 'JOB_OUTPUT_EXPIRED', message: expect.stringContaining('run the job again') });
    const audit = await owner('audit_log').where({ tenant_id: tenant.id, action: 'files.expired' });
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ uploads: 1, outputs: 1, bytes: 16 + exported.result.file.size });

    // The quota is freed: the usage no longer counts them and a new upload fits again.
    expect((await storage(tenant)).usedBytes).toBe(usedBefore - 16 - exported.result.file.size);
    expect((await upload(tenant, 'over')).status).toBe(201);
  });
});
