import { randomUUID } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { type Knex } from 'knex';
import { type BackupManifest } from '../../activities/backups/backupManifest';
import { RESTORE_RULES } from '../../activities/backups/tenantTables';
import { startScanPeer } from '../peers/scan/scanPeer';
import { registerScanConnector } from '../support/connectorFactories';
import { eventually } from '../support/eventually';
import { type TestHub } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { finishedJob, startJobVia } from '../support/jobs';
import { recordHistory } from '../support/recordHistory';

const RESTORED = Object.entries(RESTORE_RULES)
  .filter(([, rule]) => rule.restore)
  .map(([table]) => table);

/** Every row (as text) of a tenant's restorable tables, as the owner sees them. */
async function restorableRows(owner: Knex, tenantId: string): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const table of RESTORED) {
    const result = await owner.raw(`select to_jsonb(t)::text as row from ?? t where tenant_id = ? order by 1`, [table, tenantId]);
    rows[table] = (result.rows as Array<{ row: string }>).map((row) => row.row);
  }
  return rows;
}

async function backupFile(hub: TestHub, key: string): Promise<Array<Record<string, unknown>>> {
  const chunks: Buffer[] = [];
  for await (const chunk of hub.files.get(key).pipe(createGunzip())) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? text.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) : [];
}

/** Backups taken while the tenant writes, and restores whose verification fails. */
describe('backups: one snapshot; restores: all or nothing', () => {
  const peer = useStarted(() => startScanPeer({ port: 0, apiKey: 'scan-key' }));
  const {
    hub,
    tenants: [writing, restoring],
    owner,
  } = useHub({ tenants: [{}, {}] });

  it('reads every table of a backup in one snapshot while related rows are written to two tables', async () => {
    const templateId = await registerScanConnector(hub, writing, peer, { apiKey: 'scan-key' });
    const template = await owner('connectors').where({ id: templateId }).first();
    // Each transaction adds a connector and a record that references it; a backup must hold both or neither.
    let stop = false;
    let committed = 0;
    const writer = (async () => {
      while (!stop) {
        const n = committed;
        await owner.transaction(async (trx) => {
          const id = randomUUID();
          await trx('connectors').insert({
            id,
            tenant_id: writing.id,
            type: template.type,
            name: `pair-${n}`,
            config: template.config,
            credentials_ciphertext: template.credentials_ciphertext,
            credentials_key_id: template.credentials_key_id,
          });
          await trx('records').insert({
            tenant_id: writing.id,
            connector_id: id,
            stream: 'pairs',
            external_id: `pair-${n}`,
            data: { n },
            data_hash: `hash-${n}`,
            change_seq: trx.raw(`nextval('records_change_seq')`),
          });
        });
        committed += 1;
      }
    })();
    try {
      await eventually(() => (committed >= 10 ? true : undefined), 30_000, 'the writer to commit its first pairs');
      const job = await finishedJob(hub, writing, (await startJobVia(hub, writing, 'backup', {})).id);
      expect(job.status).toBe('completed');
      stop = true;
      await writer;

      const manifest = (await owner('backups').where({ id: job.result.backupId }).first()).manifest as BackupManifest;
      const fileOf = (table: string) => manifest.tables.find((entry) => entry.name === table)!.file.key;
      const pairConnectors = (await backupFile(hub, fileOf('connectors'))).filter((row) => String(row.name).startsWith('pair-'));
      const pairRecords = (await backupFile(hub, fileOf('records'))).filter((row) => row.stream === 'pairs');
      expect(pairConnectors.length).toBeGreaterThanOrEqual(10);
      // The writer went on after the snapshot: some pairs are (rightly) not in the backup.
      expect(committed).toBeGreaterThan(pairConnectors.length);
      // Cross-table consistency: every record's connector is in the backup, and every connector's record.
      expect(pairRecords.map((row) => row.connector_id).sort()).toEqual(pairConnectors.map((row) => row.id).sort());
      expect(job.result.rowCounts).toMatchObject({ connectors: pairConnectors.length + 1, records: pairRecords.length });
      await recordHistory(hub.temporal, job.workflowId, 'backupJobOneSnapshot');
    } finally {
      stop = true;
      await writer;
    }
  });

  it('rolls a restore back when its verification fails: the tenant keeps exactly the data it had', async () => {
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role, status)
       select gen_random_uuid(), ?, 'user' || n || '@example.test', 'User ' || n, 'member', 'active' from generate_series(1, 40) n`,
      [restoring.id],
    );
    const backup = await finishedJob(hub, restoring, (await startJobVia(hub, restoring, 'backup', {})).id);
    expect(backup.status).toBe('completed');

    // The tenant changes after the backup: some users leave, one is renamed, one arrives.
    const leaving = (await owner('users').where({ tenant_id: restoring.id }).whereLike('email', 'user1%').pluck('id')) as string[];
    await owner('users').whereIn('id', leaving).del();
    await owner('users').where({ tenant_id: restoring.id, email: 'user2@example.test' }).update({ name: 'Renamed' });
    await owner('users').insert({ id: randomUUID(), tenant_id: restoring.id, email: 'late@example.test', name: 'Late', role: 'viewer' });
    const before = await restorableRows(owner, restoring.id);
    expect(before.users!.length).toBe(41 - leaving.length + 1);

    // A manifest whose users checksum no longer matches the file: the restore loads it, verification must refuse it.
    const stored = (await owner('backups').where({ id: backup.result.backupId }).first()).manifest as BackupManifest;
    const tampered = { ...stored, tables: stored.tables.map((table) => (table.name === 'users' ? { ...table, contentChecksum: '0'.repeat(64) } : table)) };
    await owner('backups')
      .where({ id: backup.result.backupId })
      .update({ manifest: JSON.stringify(tampered) });
    const auditBefore = (await owner('audit_log').where({ tenant_id: restoring.id }).orderBy('seq').pluck('action')) as string[];

    const restore = await finishedJob(hub, restoring, (await startJobVia(hub, restoring, 'restore', { backupId: backup.result.backupId, confirm: true })).id);
    expect(restore.status).toBe('failed');
    expect(restore.error.code).toBe('RestoreVerificationFailed');
    expect(restore.error.message).toContain('users');
    expect(await restorableRows(owner, restoring.id)).toEqual(before);
    const auditAfter = (await owner('audit_log').where({ tenant_id: restoring.id }).orderBy('seq').pluck('action')) as string[];
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    expect(auditAfter).not.toContain('tenant.restored');
    await recordHistory(hub.temporal, restore.workflowId, 'restoreJobVerificationFailed');
  });
});
