import { type Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { RESTORE_RULES, tenantTables } from '../../activities/backups/tenantTables';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { startScanPeer } from '../peers/scan/scanPeer';
import { runtimeOf } from '../support/connectors';
import { registerScanConnector } from '../support/connectorFactories';
import { type TestHub } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { finishedJob, startJobVia } from '../support/jobs';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/recordHistory';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

/** A user id of this file's own (the file also runs in the s3 project, at the same time, on the same database). */
const KNOWN_USER_ID = randomUUID();

const RESTORED = Object.entries(RESTORE_RULES)
  .filter(([, rule]) => rule.restore)
  .map(([table]) => table);

/** Count and checksum of a tenant's rows of each restorable table, as the owner sees them. */
async function snapshot(owner: Knex, tenantId: string): Promise<Record<string, { rows: number; md5: string | null }>> {
  const result: Record<string, { rows: number; md5: string | null }> = {};
  for (const table of RESTORED) {
    const row = (
      await owner.raw(
        `select count(*)::int as rows, md5(string_agg(to_jsonb(t)::text, E'\\n' order by to_jsonb(t)::text)) as md5 from ?? t where tenant_id = ?`,
        [table, tenantId],
      )
    ).rows[0];
    result[table] = { rows: row.rows, md5: row.md5 };
  }
  return result;
}

/** `backup` and `restore` jobs end to end, and the daily backup schedule. */
describe('jobs: backup and restore', () => {
  const peer = useStarted(() => startScanPeer({ port: 0, apiKey: 'scan-key' }));
  const { hub, tenant, owner } = useHub({ env: { HUB_DAILY_BACKUPS: 'true' }, tenants: [{}] });
  let connectorId: string;

  beforeAll(async () => {
    connectorId = await registerScanConnector(hub, tenant, peer, { apiKey: 'scan-key', batchSize: 100 });
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role, status)
       select gen_random_uuid(), ?, 'user' || n || '@example.test', 'User ' || n, (array['member','viewer','manager'])[1 + n % 3], 'active' from generate_series(1, 300) n`,
      [tenant.id],
    );
    await owner.raw(
      `insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, source_updated_at, change_seq)
       select ?, ?, 'scans', 'scan-' || n, jsonb_build_object('n', n, 'name', 'Scan ' || n, 'tags', jsonb_build_array('a', n)), md5(n::text), now() - n * interval '1 minute', nextval('records_change_seq')
         from generate_series(1, 2000) n`,
      [tenant.id, connectorId],
    );
    await owner('sync_stream_state').insert({ tenant_id: tenant.id, connector_id: connectorId, stream: 'scans', cursor: '{"v":1}', page_no: 4, done: true });
    const webhook = await hub.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: 'https://hooks.example.com/hub', events: ['invoice.created'] } });
    expect(webhook.status).toBe(201);
  });

  it('classifies every tenant table for restores', async () => {
    const tables = await tenantTables(owner);
    expect(tables.length).toBeGreaterThan(20);
    expect(tables.filter((table) => !RESTORE_RULES[table.name]).map((table) => table.name)).toEqual([]);
    // Referenced tables come first.
    const order = tables.map((table) => table.name);
    expect(order.indexOf('connectors')).toBeLessThan(order.indexOf('records'));
  });

  let backupId: string;
  let before: Awaited<ReturnType<typeof snapshot>>;

  it('backs up every tenant table (gzip NDJSON + manifest with row counts and SHA-256), downloadable', async () => {
    before = await snapshot(owner, tenant.id);
    expect(before.records!.rows).toBe(2_000);
    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'backup', {})).id);
    expect(job.status).toBe('completed');
    backupId = job.result.backupId;
    expect(backupId).toBe(job.id);
    expect(job.result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(job.result.rowCounts).toMatchObject({ users: 301, records: 2_000, connectors: 1, sync_stream_state: 1, webhook_endpoints: 1 });
    expect(job.result.rowCounts.audit_log).toBeGreaterThan(2);
    expect(Object.keys(job.result.rowCounts).sort()).toEqual((await tenantTables(owner)).map((table) => table.name).sort());

    const download = await fetch(`${hub.url}/v1/jobs/${job.id}/download`, { headers: { 'X-API-Key': tenant.key } });
    expect(download.status).toBe(200);
    const manifest = (await download.json()) as { tables: Array<{ name: string; rows: number; file: { key: string; sha256: string } }> };
    expect(manifest.tables.find((table) => table.name === 'records')).toMatchObject({
      rows: 2_000,
      file: { key: `${tenant.id}/backup-${backupId}-records.ndjson.gz` },
    });
    // Secrets stay ciphertext in the backup.
    const stored = await owner('backups').where({ id: backupId }).first();
    expect(stored.expires_at.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const connectors = await readBackupTable(hub, `${tenant.id}/backup-${backupId}-connectors.ndjson.gz`);
    expect(connectors[0]).toHaveProperty('credentials_ciphertext');
    expect(JSON.stringify(connectors)).not.toContain('scan-key');
    await recordHistory(hub.temporal, job.workflowId, WORKFLOW_TYPES.backupJob);
  });

  it('refuses an in-place restore without confirm (400)', async () => {
    const response = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'restore', params: { backupId } } });
    expect(response.status).toBe(400);
    expect(response.text).toContain('confirm');
  });

  it('backup → wipe → restore gives identical row counts and checksums', async () => {
    // Wipe: the connector (and its records and cursor), every user, the webhook; then a newcomer.
    await owner('connectors').where({ tenant_id: tenant.id }).del();
    await owner('users').where({ tenant_id: tenant.id }).del();
    await owner('webhook_endpoints').where({ tenant_id: tenant.id }).del();
    await owner('users').insert({ id: KNOWN_USER_ID, tenant_id: tenant.id, email: 'late@example.test', name: 'Late', role: 'viewer' });
    expect((await snapshot(owner, tenant.id)).records!.rows).toBe(0);
    const auditBefore = Number((await owner('audit_log').where({ tenant_id: tenant.id }).count('* as count').first())!.count);

    const job = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'restore', { backupId, confirm: true })).id);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ inPlace: true, verified: true, targetTenantId: tenant.id });
    expect(await snapshot(owner, tenant.id)).toEqual(before);
    // The audit log is appended to, never rewritten.
    const audit = await owner('audit_log').where({ tenant_id: tenant.id }).orderBy('seq');
    expect(audit.length).toBeGreaterThan(auditBefore);
    expect(audit.at(-1)!.action).toBe('tenant.restored');
    // The restored connector works (its credentials open).
    const health = await runtimeOf(hub)(tenant.id, connectorId, ({ instance }) => instance.testConnection());
    expect(health.details).toMatchObject({ provider: expect.any(String) });
    await recordHistory(hub.temporal, job.workflowId, WORKFLOW_TYPES.restoreJob);
  });

  it('a tenant admin key may not restore into a new slug (403): that creates a tenant, which only the platform admin may', async () => {
    const slug = `by-tenant-${tenant.slug}`;
    const refused = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'restore', params: { backupId, targetTenantSlug: slug } } });
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(refused.body.error.message).toContain('platform admin');
    expect(await owner('tenants').where({ slug })).toEqual([]);
    expect(await owner('jobs').where({ tenant_id: tenant.id, kind: 'restore' }).whereRaw(`params->>'targetTenantSlug' = ?`, [slug])).toEqual([]);
    // The admin route takes the platform admin token only.
    const withTenantKey = await hub.request('POST', `/v1/admin/tenants/${tenant.id}/restores`, { key: tenant.key, body: { backupId, targetTenantSlug: slug } });
    expect(withTenantKey.status).toBe(401);
    expect(await owner('tenants').where({ slug })).toEqual([]);
  });

  it('the restore itself refuses a new slug asked for by anyone but the platform admin (a workflow started around the API)', async () => {
    const slug = `around-${tenant.slug}`;
    const jobId = randomUUID();
    const workflowId = `job/${tenant.slug}/restore/${jobId}`;
    const params = { backupId, targetTenantSlug: slug };
    await owner('jobs').insert({ id: jobId, tenant_id: tenant.id, kind: 'restore', status: 'queued', params: JSON.stringify(params), workflow_id: workflowId });
    await hub.temporal.workflow.start(WORKFLOW_TYPES.restoreJob, {
      workflowId,
      taskQueue: hub.config.TEMPORAL_TASK_QUEUE,
      args: [{ jobId, tenantId: tenant.id, tenantSlug: tenant.slug, kind: 'restore', params, requestedBy: `api_key:${tenant.keyId}` }],
    });
    const job = await finishedJob(hub, tenant, jobId);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'RestoreRefused' } });
    expect(await owner('tenants').where({ slug })).toEqual([]);
  });

  it('restores into a new tenant slug (platform admin): new ids, same content, secrets re-encrypted for the new tenant', async () => {
    const slug = `restored-${tenant.slug}`;
    const started = await hub.request('POST', `/v1/admin/tenants/${tenant.id}/restores`, { admin: true, body: { backupId, targetTenantSlug: slug } });
    expect(started.status).toBe(202);
    expect(started.body.job).toMatchObject({ kind: 'restore', createdBy: 'platform_admin', params: { backupId, targetTenantSlug: slug } });
    const job = await finishedJob(hub, tenant, started.body.job.id);
    expect(job.status).toBe('completed');
    const target = await owner('tenants').where({ slug }).first();
    expect(target).toBeDefined();
    const source = await owner('tenants').where({ id: tenant.id }).first();
    expect(target).toMatchObject({ name: source.name, plan: source.plan, settings: source.settings, status: 'active' });
    expect(job.result).toMatchObject({ inPlace: false, verified: true, targetTenantId: target.id, targetTenantSlug: slug });
    const restored = await snapshot(owner, target.id);
    for (const table of RESTORED) expect([table, restored[table]!.rows]).toEqual([table, before[table]!.rows]);
    const emails = async (tenantId: string) => (await owner('users').where({ tenant_id: tenantId }).orderBy('email').pluck('email')) as string[];
    expect(await emails(target.id)).toEqual(await emails(tenant.id));
    const newConnector = await owner('connectors').where({ tenant_id: target.id }).first();
    expect(newConnector.id).not.toBe(connectorId);
    expect(await owner('records').where({ tenant_id: target.id, connector_id: newConnector.id }).count('* as count').first()).toEqual({ count: '2000' });
    const health = await runtimeOf(hub)(target.id, newConnector.id, ({ instance }) => instance.testConnection());
    expect(health.details).toMatchObject({ provider: expect.any(String) });
    // Keys are never restored: a platform admin issues the new tenant its first key, which works.
    const issued = await hub.request('POST', `/v1/admin/tenants/${target.id}/api-keys`, { admin: true, body: {} });
    expect(issued.status).toBe(201);
    expect(issued.body.apiKey).toMatchObject({ role: 'admin', key: expect.stringMatching(/^hub_sk_/) });
    const users = await hub.request('GET', '/v1/users?limit=100', { key: issued.body.apiKey.key as string });
    expect(users.status).toBe(200);
    expect(users.body.data.length).toBe(Math.min(100, (await emails(target.id)).length));
    expect((await hub.request('POST', `/v1/admin/tenants/${tenant.id}/api-keys`, { key: tenant.key, body: {} })).status).toBe(401);
    // The source tenant is untouched.
    expect(await snapshot(owner, tenant.id)).toEqual(before);

    const again = await hub.request('POST', `/v1/admin/tenants/${tenant.id}/restores`, { admin: true, body: { backupId, targetTenantSlug: slug } });
    expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'TENANT_SLUG_TAKEN' });
    const unknownBackup = await hub.request('POST', `/v1/admin/tenants/${tenant.id}/restores`, {
      admin: true,
      body: { backupId: '00000000-0000-4000-8000-000000000000', targetTenantSlug: `${slug}-2` },
    });
    expect(unknownBackup.status).toBe(404);
  });

  it('creates the daily backup schedule at onboarding; a scheduled run backs up and applies retention', async () => {
    const fresh = await hub.createTenant();
    await recordHistory(hub.temporal, fresh.workflowId, 'tenantOnboardingWithBackupSchedule');
    const handle = hub.temporal.schedule.getHandle(workflowIds.backupSchedule(fresh.slug));
    const described = await handle.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: WORKFLOW_TYPES.scheduledBackup });
    expect(described.spec.calendars?.[0]).toMatchObject({ comment: 'daily, UTC' });

    // A backup past its retention is pruned by the next run.
    const first = await finishedJob(hub, fresh, (await startJobVia(hub, fresh, 'backup', {})).id);
    await owner('backups')
      .where({ id: first.result.backupId })
      .update({ expires_at: owner.raw(`now() - interval '1 day'`) });

    await handle.trigger();
    const scheduled = await eventually(
      async () => {
        const response = await hub.request('GET', '/v1/jobs?kind=backup', { key: fresh.key });
        const jobs = response.body.data as Array<{ id: string; status: string }>;
        return jobs.find((job) => job.id !== first.id && job.status === 'completed');
      },
      60_000,
      'the scheduled backup to complete',
    );
    const job = (await hub.request('GET', `/v1/jobs/${scheduled.id}`, { key: fresh.key })).body.job;
    expect(job.result).toMatchObject({ pruned: 1 });
    expect(await owner('backups').where({ id: first.result.backupId })).toEqual([]);
    expect(await owner('backups').where({ id: job.result.backupId }).first()).toMatchObject({ trigger: 'schedule' });
    await recordHistory(hub.temporal, job.workflowId, WORKFLOW_TYPES.scheduledBackup);
    await handle.delete();
  });
});

async function readBackupTable(hub: TestHub, key: string): Promise<Array<Record<string, unknown>>> {
  const { createGunzip } = await import('node:zlib');
  const chunks: Buffer[] = [];
  for await (const chunk of hub.files.get(key).pipe(createGunzip())) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
