import ExcelJS from 'exceljs';
import { type Knex } from 'knex';
import { startScanPeer } from '../peers/scan/scanPeer';
import { runtimeOf } from '../support/connectors';
import { registerScanConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';
import { xlsxBomb } from '../support/importFiles';
import { finishedJob, jobWhen, startJobVia, uploadFile } from '../support/jobs';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/recordHistory';
import { pauseSignal, progressQuery, WORKFLOW_TYPES } from '../../workflows/contracts';

/** Users of a tenant as the owner sees them, every column, in a stable order. */
async function usersOf(owner: Knex, tenantId: string) {
  return (await owner.raw(`select to_jsonb(u)::text as row from users u where tenant_id = ? order by id`, [tenantId])).rows.map(
    (row: { row: string }) => row.row,
  ) as string[];
}

/** `migration` jobs end to end: validate → stage → apply → verify, dry runs, saga compensation. */
describe('jobs: migration', () => {
  const peer = useStarted(() => startScanPeer({ port: 0 }));
  const { hub, tenant, owner } = useHub({ tenants: [{}] });
  const mapping = { email: 'E-mail', name: 'Full Name', role: 'Access' };

  /** A legacy CSV: `count` people, the first `existing` of them already users of the tenant (with other names). */
  function legacyCsv(count: number, extraLines: string[] = []) {
    const lines = ['E-mail,Full Name,Access,Legacy Id'];
    for (let n = 1; n <= count; n += 1) lines.push(`Person${n}@Legacy.test,Person ${n},${['Member', 'viewer', 'manager'][n % 3]},L-${n}`);
    return [...lines, ...extraLines].join('\n');
  }

  beforeAll(async () => {
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role, status) select gen_random_uuid(), ?, 'person' || n || '@legacy.test', 'Old name ' || n, 'viewer', 'invited' from generate_series(1, 200) n`,
      [tenant.id],
    );
  });

  it('a migration whose verify step fails is rolled back: the tenant is exactly as before', async () => {
    const before = await usersOf(owner, tenant.id);
    const uploadId = await uploadFile(hub, tenant, { name: 'legacy.csv', contentType: 'text/csv', body: legacyCsv(2_500) });
    // The legacy system's control total says 2,501 rows: verify fails after apply.
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'migration', { uploadId, mapping, expect: { rows: 2_501 } })).id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('MigrationRolledBack');
    expect(job.error.message).toContain('2501');
    expect(job.error.message).toContain('rolled back: 2500 changed rows');
    expect(job.progress).toMatchObject({ phase: 'compensate', compensated: 2_500 });
    expect(await usersOf(owner, tenant.id)).toEqual(before);
    expect(await owner('migration_rows').where({ tenant_id: tenant.id })).toEqual([]);
    expect(await owner('migration_changes').where({ tenant_id: tenant.id })).toEqual([]);
    const audit = await owner('audit_log').where({ tenant_id: tenant.id }).whereIn('action', ['migration.applied', 'migration.rolled_back']).pluck('action');
    expect(audit.filter((action) => action === 'migration.applied')).toHaveLength(3);
    expect(audit).toContain('migration.rolled_back');
    await recordHistory(hub.temporal, job.workflowId, 'migrationJobRolledBack');
  });

  it('cancelled while applying: the compensation restores the tenant, the job is cancelled', async () => {
    const before = await usersOf(owner, tenant.id);
    const uploadId = await uploadFile(hub, tenant, { name: 'big.csv', contentType: 'text/csv', body: legacyCsv(30_000) });
    const started = await startJobVia(hub, tenant, 'migration', { uploadId, mapping });
    const handle = hub.temporal.workflow.getHandle(started.workflowId);
    // Hold it at a batch boundary of the apply phase, then cancel.
    await eventually(
      async () => {
        const progress = await handle.query(progressQuery);
        if (progress.phase !== 'apply' || progress.done === 0) return undefined;
        await handle.signal(pauseSignal);
        return true;
      },
      60_000,
      'the apply phase',
    );
    await jobWhen(hub, tenant, started.id as string, (job) => job.status === 'paused', 'the job to pause', 30_000);
    const applied = await owner('migration_changes').where({ tenant_id: tenant.id, job_id: started.id }).count('* as count').first();
    expect(Number(applied!.count)).toBeGreaterThan(0);
    expect(Number(applied!.count)).toBeLessThan(30_000);
    expect((await hub.request('POST', `/v1/jobs/${started.id}/cancel`, { key: tenant.key })).status).toBe(202);
    const job = await finishedJob(hub, tenant, started.id);
    expect(job.status).toBe('cancelled');
    expect(await usersOf(owner, tenant.id)).toEqual(before);
    expect(await owner('migration_changes').where({ tenant_id: tenant.id, job_id: started.id })).toEqual([]);
  });

  it('migrates a legacy CSV into users: validate → stage → apply → verify, existing users updated', async () => {
    const uploadId = await uploadFile(hub, tenant, { name: 'legacy.csv', contentType: 'text/csv', body: legacyCsv(2_500) });
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'migration', { uploadId, mapping, expect: { rows: 2_500 } })).id);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ dryRun: false, target: 'users', rows: 2_500, inserted: 2_300, updated: 200 });
    expect(job.result.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await owner('users').where({ tenant_id: tenant.id }).count('* as count').first()).toEqual({ count: String(1 + 2_500) });
    expect(await owner('users').where({ tenant_id: tenant.id, email: 'person9@legacy.test' }).first()).toMatchObject({
      name: 'Person 9',
      role: 'member',
      status: 'active',
    });
    await recordHistory(hub.temporal, job.workflowId, WORKFLOW_TYPES.migrationJob);

    // Running it again changes nothing new (every row is an update to the same values).
    const again = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'migration', { uploadId, mapping })).id);
    expect(again.result).toMatchObject({ rows: 2_500, inserted: 0, updated: 2_500, checksum: job.result.checksum });
  });

  it('a dry run reports invalid rows with lines and columns and writes nothing', async () => {
    const before = await usersOf(owner, tenant.id);
    const uploadId = await uploadFile(hub, tenant, {
      name: 'legacy.csv',
      contentType: 'text/csv',
      body: legacyCsv(50, [
        'not-an-email,Someone,member,X',
        'dup@legacy.test,Dup,member,Y',
        'DUP@legacy.test,Dup again,member,Z',
        'ok@legacy.test,Ok,overlord,W',
      ]),
    });
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'migration', { uploadId, mapping, dryRun: true })).id);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ dryRun: true, rows: 54, valid: 51, invalid: 3 });
    expect(job.result.errors).toEqual([
      { line: 52, column: 'E-mail', message: expect.stringContaining('email') },
      { line: 54, column: 'E-mail', message: 'duplicate of line 53' },
      { line: 55, column: 'Access', message: expect.stringContaining('role') },
    ]);
    expect(await usersOf(owner, tenant.id)).toEqual(before);

    const real = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'migration', { uploadId, mapping })).id);
    expect(real.status).toBe('failed');
    expect(real.error.code).toBe('MigrationInvalid');
    expect(real.error.message).toContain('line 52');
    expect(await usersOf(owner, tenant.id)).toEqual(before);
  });

  it('migrates an XLSX file (first sheet, header row)', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('People');
    sheet.addRow(['E-mail', 'Full Name', 'Access']);
    for (let n = 1; n <= 300; n += 1)
      sheet.addRow([`xlsx${n}@legacy.test`, { richText: [{ text: 'Xl ' }, { text: `Person ${n}` }] }, n % 2 === 0 ? 'viewer' : 'member']);
    const body = Buffer.from(await workbook.xlsx.writeBuffer());
    const uploadId = await uploadFile(hub, tenant, {
      name: 'legacy.xlsx',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      body,
    });
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'migration', { uploadId, mapping })).id);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ rows: 300, inserted: 300, updated: 0 });
    expect(await owner('users').where({ tenant_id: tenant.id, email: 'xlsx2@legacy.test' }).first()).toMatchObject({ name: 'Xl Person 2', role: 'viewer' });
  });

  it.each([
    ['a corrupt XLSX file', async () => Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]), 'legacy.xlsx'],
    ['an XLSX zip bomb', () => xlsxBomb(), 'legacy.xlsx'],
  ])('refuses %s with a clear error and no writes', async (_, makeBody, name) => {
    const body = await makeBody();
    const before = await usersOf(owner, tenant.id);
    const uploadId = await uploadFile(hub, tenant, { name, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body });
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'migration', { uploadId, mapping })).id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('MigrationInvalid');
    expect(job.error.message).toMatch(/XLSX|workbook/);
    expect(await usersOf(owner, tenant.id)).toEqual(before);
  });

  it.each([
    ['binary garbage', Buffer.from([0x00, 0xff, 0x13, 0x37, 0xfe, 0x00, 0xc3, 0x28, 0x0a, 0x01])],
    ['a 0-byte file', ''],
    ['wrong headers', 'mail,who,level\na@b.test,A,member\n'],
    ['the wrong encoding (Latin-1)', Buffer.from('E-mail,Full Name,Access\nm\xfcller@legacy.test,J\xfcrgen M\xfcller,member\n', 'latin1')],
  ])('refuses %s with a clear error and no writes', async (_, body) => {
    const before = await usersOf(owner, tenant.id);
    const uploadId = await uploadFile(hub, tenant, { name: 'legacy.csv', contentType: 'text/csv', body });
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'migration', { uploadId, mapping })).id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('MigrationInvalid');
    expect(job.error.message.length).toBeGreaterThan(10);
    expect(await usersOf(owner, tenant.id)).toEqual(before);
  });

  it('migrates a connector stream into records with a field mapping', async () => {
    const scanConnector = await registerScanConnector(hub, tenant, peer, { batchSize: 100 });
    await runtimeOf(hub)(tenant.id, scanConnector, ({ instance }) =>
      instance.write!(
        'scans',
        Array.from({ length: 1_500 }, (_, index) => ({ id: `legacy-${index}`, medication: `Drug ${index % 40}` })),
      ),
    );
    const job = await finishedJob(
      hub,
      tenant,
      (
        await startJobVia(hub, tenant, 'migration', {
          connectorId: scanConnector,
          stream: 'scans',
          target: 'records',
          records: { connectorId: scanConnector, stream: 'legacy_scans' },
          mapping: { externalId: '$externalId', item: 'itemId', drug: 'result.normalizedName', risk: 'result.interactionRisk' },
        })
      ).id,
    );
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ target: 'records', rows: 1_500, inserted: 1_500 });
    const record = await owner('records').where({ tenant_id: tenant.id, connector_id: scanConnector, stream: 'legacy_scans' }).first();
    expect(record.data).toEqual({ item: expect.stringMatching(/^legacy-/), drug: expect.stringMatching(/^DRUG/), risk: expect.any(String) });
  });
});
