import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { recordHistory } from '../support/recordHistory';
import { startTestHub } from '../support/hub';
import { useHub } from '../support/harness';
import { usersCsv, usersXlsx, xlsxBomb } from '../support/importFiles';
import { jobWhen } from '../support/jobs';
import { eventually } from '../support/eventually';
import { storedNames } from '../support/storedFiles';
import { pauseSignal, WORKFLOW_TYPES } from '../../workflows/contracts';

/** A user id of this file's own (the file also runs in the s3 project, at the same time, on the same database). */
const KNOWN_USER_ID = randomUUID();

/** Uploads and the user_import job end to end: API → workflow → activities → users table. */
describe('jobs: user_import', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{ plan: 'enterprise' }] });

  async function upload(body: string | Buffer, name: string, contentType = 'application/octet-stream') {
    const response = await hub.request('POST', `/v1/uploads?name=${encodeURIComponent(name)}`, {
      key: tenant.key,
      rawBody: body,
      headers: { 'Content-Type': contentType },
    });
    expect(response.status).toBe(201);
    return response.body.upload as { id: string; size: number; sha256: string; contentType: string; name: string };
  }

  async function runImport(uploadId: string, params: Record<string, unknown> = {}) {
    const started = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'user_import', params: { uploadId, ...params } } });
    expect(started.status).toBe(202);
    return eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${started.body.job.id}`, { key: tenant.key });
        return ['completed', 'completed_with_errors', 'failed', 'cancelled'].includes(response.body.job.status) ? response.body.job : undefined;
      },
      120_000,
      'the import to finish',
    );
  }

  const userCount = async () => Number((await owner('users').where({ tenant_id: tenant.id }).count({ n: '*' }))[0]!.n);

  it('imports 49,975 of 50,000 CSV rows, reports the 25 bad ones by line, and re-running imports 0 new', async () => {
    const bad = new Set(Array.from({ length: 25 }, (_, index) => 7 + index * 1_997));
    const csv = usersCsv(50_000, { bad });
    const file = await upload(csv, 'users.csv');
    expect(file).toMatchObject({ name: 'users.csv', size: Buffer.byteLength(csv), contentType: 'text/csv' });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    const before = await userCount();

    const job = await runImport(file.id);
    // Some rows failed: the job says so in its status, and its error counts them and names the first.
    expect(job.status).toBe('completed_with_errors');
    expect(job.error).toEqual({ code: 'ITEMS_FAILED', message: expect.stringMatching(/^25 of 50000 rows failed: line 8 role: .+; and 22 more$/) });
    expect(job.progress.state).toBe('completed_with_errors');
    expect(job.result).toMatchObject({ rows: 50_000, imported: 49_975, updated: 0, failed: 25 });
    expect(job.progress).toMatchObject({ done: 49_975, total: 49_975 });
    // Line numbers count the header line: data row n is on line n + 1.
    expect(job.result.errors.map((error: { line: number }) => error.line).sort((a: number, b: number) => a - b)).toEqual(
      [...bad].map((n) => n + 1).sort((a, b) => a - b),
    );
    expect(job.result.errors.find((error: { line: number }) => error.line === 8)).toMatchObject({ column: 'role' });
    expect(await userCount()).toBe(before + 49_975);
    const imported = await owner('users').where({ tenant_id: tenant.id, email: 'import10@example.test' }).first();
    expect(imported).toMatchObject({ name: 'User 10', role: 'manager', status: 'invited' });

    // The error report downloads as CSV with line, column and message.
    const report = await fetch(`${hub.url}/v1/jobs/${job.id}/download`, { headers: { 'X-API-Key': tenant.key } });
    expect(report.status).toBe(200);
    const rows = parse(await report.text(), { columns: true }) as Array<{ line: string; column: string; message: string }>;
    expect(rows).toHaveLength(25);
    expect(rows[0]).toEqual({ line: '8', column: 'role', message: expect.stringContaining('role') });
    await recordHistory(hub.temporal, job.workflowId, WORKFLOW_TYPES.userImportJob);

    // Staged chunks are gone; the batches are recorded once each.
    const batches = await owner('user_import_batches').where({ tenant_id: tenant.id, job_id: job.id });
    expect(batches.reduce((sum, batch) => sum + batch.imported, 0)).toBe(49_975);

    const again = await runImport(file.id);
    expect(again.result).toMatchObject({ imported: 0, updated: 0, unchanged: 49_975, failed: 25 });
    expect(await userCount()).toBe(before + 49_975);
  });

  it('imports an XLSX workbook, updating existing users and refusing duplicates within the file', async () => {
    await owner('users').insert({
      id: KNOWN_USER_ID,
      tenant_id: tenant.id,
      email: 'Sheet1@Example.test',
      name: 'Old name',
      role: 'viewer',
      status: 'active',
    });
    const workbook = await usersXlsx([
      ['sheet1@example.test', 'New name', 'member'],
      ['sheet2@example.test', 'Sheet Two', 'admin'],
      ['SHEET2@example.test', 'Twice', 'viewer'],
      ['sheet3@example.test', '', 'member'],
    ]);
    const file = await upload(workbook, 'users.xlsx');
    expect(file.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const job = await runImport(file.id);
    expect(job.status).toBe('completed_with_errors');
    expect(job.error).toEqual({
      code: 'ITEMS_FAILED',
      message: expect.stringMatching(/^2 of 4 rows failed: line 4 email: .*duplicate.*; line 5 name: name is required$/),
    });
    expect(job.result).toMatchObject({ rows: 4, imported: 1, updated: 1, failed: 2 });
    expect(job.result.errors).toEqual([
      { line: 4, column: 'email', message: expect.stringContaining('duplicate') },
      { line: 5, column: 'name', message: 'name is required' },
    ]);
    expect(await owner('users').where({ id: KNOWN_USER_ID }).first()).toMatchObject({
      name: 'New name',
      role: 'member',
      status: 'active',
    });
    expect(await owner('users').where({ tenant_id: tenant.id, email: 'sheet2@example.test' }).first()).toMatchObject({ role: 'admin', status: 'invited' });
  });

  it('fails an import whose every row is invalid, keeping the result and its error report, and writes nothing', async () => {
    const before = await userCount();
    const file = await upload('email,name,role\nnot-an-email,Nobody,member\nnobody@example.test,,member\n', 'invalid.csv', 'text/csv');
    const job = await runImport(file.id);
    expect(job).toMatchObject({
      status: 'failed',
      error: { code: 'ITEMS_FAILED', message: expect.stringMatching(/^2 of 2 rows failed: line 2 email: .+; line 3 name: name is required$/) },
      result: { rows: 2, imported: 0, failed: 2 },
      progress: { state: 'failed' },
    });
    expect(await userCount()).toBe(before);
    const report = await fetch(`${hub.url}/v1/jobs/${job.id}/download`, { headers: { 'X-API-Key': tenant.key } });
    expect(report.status).toBe(200);
    expect(parse(await report.text(), { columns: true })).toHaveLength(2);
    const [event] = await owner('events').where({ tenant_id: tenant.id, type: 'job.failed' }).whereRaw(`data->>'jobId' = ?`, [job.id]);
    expect(event.data).toMatchObject({ status: 'failed', error: { code: 'ITEMS_FAILED' } });
  });

  const malformed: Array<[string, () => Promise<Buffer> | Buffer, string, RegExp]> = [
    ['binary garbage as CSV', () => Buffer.from(Array.from({ length: 5_000 }, (_, index) => (index * 7919) % 256)), 'garbage.csv', /not text|not valid UTF-8/],
    ['wrong headers', () => Buffer.from('mail,fullname,level\na@example.test,A,member\n'), 'wrong.csv', /Wrong headers.*missing email, name, role/],
    ['a 0-byte file', () => Buffer.alloc(0), 'empty.csv', /empty/],
    [
      'UTF-16 text',
      () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email,name,role\nu16@example.test,U,member\n', 'utf16le')]),
      'utf16.csv',
      /UTF-16/,
    ],
    ['Latin-1 text', () => Buffer.from('email,name,role\nlatin@example.test,Jos\xe9 M\xfcller,member\n', 'latin1'), 'latin1.csv', /not valid UTF-8/],
    ['an XLSX bomb', () => xlsxBomb(), 'bomb.xlsx', /zip bomb/],
  ];
  it.each(malformed)('fails %s with a clear error and writes nothing', async (_what, content, name, message) => {
    const before = await userCount();
    const auditBefore = Number((await owner('audit_log').where({ tenant_id: tenant.id, action: 'users.imported' }).count({ n: '*' }))[0]!.n);
    const file = await upload(await content(), name);
    const job = await runImport(file.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'ImportMalformed', message: expect.stringMatching(message) });
    expect(await userCount()).toBe(before);
    expect(Number((await owner('audit_log').where({ tenant_id: tenant.id, action: 'users.imported' }).count({ n: '*' }))[0]!.n)).toBe(auditBefore);
    expect(await owner('user_import_batches').where({ tenant_id: tenant.id, job_id: job.id })).toEqual([]);
  });

  it('refuses a multipart upload beyond the size limit and accepts one within it', async () => {
    const content = 'email,name,role\nmp@example.test,Multi Part,viewer\n';
    const form = new FormData();
    form.append('file', new Blob([content], { type: 'text/csv' }), 'multi.csv');
    const response = await fetch(`${hub.url}/v1/uploads`, { method: 'POST', headers: { 'X-API-Key': tenant.key }, body: form });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { upload: unknown }).upload).toMatchObject({
      name: 'multi.csv',
      contentType: 'text/csv',
      size: Buffer.byteLength(content),
    });

    // A second API on the same database with a small limit (no worker needed: uploads are API-only).
    const small = await startTestHub({ HUB_UPLOAD_MAX_BYTES: '1000' }, { worker: false });
    try {
      const filesBefore = await owner('files').where({ tenant_id: tenant.id }).count({ n: '*' });
      const tooLarge = await small.request('POST', '/v1/uploads?name=big.csv', {
        key: tenant.key,
        rawBody: Buffer.alloc(5_000, 0x41),
        headers: { 'Content-Type': 'text/csv' },
      });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.error.code).toBe('UPLOAD_TOO_LARGE');
      expect(await owner('files').where({ tenant_id: tenant.id }).count({ n: '*' })).toEqual(filesBefore);
    } finally {
      await small.stop();
    }
  });

  it('pauses after validation, then cancels: staging and report are removed, no user is written', async () => {
    const bulk = await hub.createTenant({ plan: 'enterprise' });
    const uploaded = await hub.request('POST', '/v1/uploads?name=bulk.csv', {
      key: bulk.key,
      rawBody: usersCsv(120_000, { prefix: 'cancel', bad: new Set([3]) }),
      headers: { 'Content-Type': 'text/csv' },
    });
    const started = await hub.request('POST', '/v1/jobs', { key: bulk.key, body: { kind: 'user_import', params: { uploadId: uploaded.body.upload.id } } });
    // Held at the first batch boundary (before the first chunk is applied).
    await hub.temporal.workflow.getHandle(started.body.job.workflowId).signal(pauseSignal);
    const paused = await jobWhen(hub, bulk, started.body.job.id as string, (job) => job.status === 'paused', 'the import to pause');
    expect(paused.progress).toMatchObject({ phase: 'apply', done: 0, total: 119_999, failed: 1, state: 'paused' });
    expect((await storedNames(hub.files, bulk.id)).filter((name) => name.includes('.import-'))).toHaveLength(3);

    expect((await hub.request('POST', `/v1/jobs/${started.body.job.id}/cancel`, { key: bulk.key })).status).toBe(202);
    const job = await eventually(
      async () => {
        const response = await hub.request('GET', `/v1/jobs/${started.body.job.id}`, { key: bulk.key });
        return response.body.job.status === 'cancelled' ? response.body.job : undefined;
      },
      60_000,
      'the import to be cancelled',
    );
    expect(job.error).toMatchObject({ code: 'CANCELLED' });
    await recordHistory(hub.temporal, job.workflowId, 'userImportJobPausedThenCancelled');
    // Only the upload is left: no staged chunk, no error report, no user beyond the admin.
    expect(await storedNames(hub.files, bulk.id)).toEqual([uploaded.body.upload.id]);
    expect((await owner('files').where({ tenant_id: bulk.id })).map((file) => file.purpose)).toEqual(['upload']);
    expect(await owner('users').where({ tenant_id: bulk.id }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it("cannot import another tenant's upload", async () => {
    const other = await hub.createTenant();
    const theirs = await hub.request('POST', '/v1/uploads?name=x.csv', {
      key: other.key,
      rawBody: 'email,name,role\nx@example.test,X,member\n',
      headers: { 'Content-Type': 'text/csv' },
    });
    const job = await runImport(theirs.body.upload.id);
    expect(job.status).toBe('failed');
    expect(job.error.message).toContain('does not exist');
  });
});
