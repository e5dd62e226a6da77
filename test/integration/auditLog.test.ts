import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { verifyAuditChain } from '../../platform/auditChain';
import { useHub } from '../support/harness';
import { createKey, createUser } from '../support/tenantKeys';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

async function auditVerify(...slugs: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'platform/auditVerifyMain.ts'), ...slugs], {
      cwd: root,
      env: process.env,
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('audit log: one row per mutation, filterable, hash-chained and verifiable', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{}] });

  it('records who did what, newest first, filterable by action, actor and time', async () => {
    const manager = await createKey(hub, tenant, 'manager');
    const userId = await createUser(hub, manager.key);
    await hub.request('PATCH', `/v1/users/${userId}`, { key: manager.key, body: { role: 'viewer' } });
    await hub.request('GET', '/v1/users', { key: manager.key }); // reads are not audited

    const all = await hub.request('GET', '/v1/audit-logs', { key: tenant.key });
    expect(all.status).toBe(200);
    expect(all.body.data.map((entry: { action: string }) => entry.action)).toEqual(['user.updated', 'user.created', 'api_key.created', 'tenant.created']);
    expect(all.body.data.map((entry: { seq: number }) => entry.seq)).toEqual([4, 3, 2, 1]);
    const [updated] = all.body.data;
    expect(updated).toMatchObject({
      actor: { type: 'api_key', id: manager.id, role: 'manager' },
      target: { type: 'user', id: userId },
      details: { before: { role: 'member' }, after: { role: 'viewer' } },
    });
    expect(updated.actor.requestId).toBeTruthy();
    expect(updated.prevHash).toBe(all.body.data[1].hash);

    const byAction = await hub.request('GET', '/v1/audit-logs?action=user.*', { key: tenant.key });
    expect(byAction.body.data.map((entry: { action: string }) => entry.action)).toEqual(['user.updated', 'user.created']);
    const exact = await hub.request('GET', '/v1/audit-logs?action=api_key.created', { key: tenant.key });
    expect(exact.body.pagination.total).toBe(1);
    const byActor = await hub.request('GET', `/v1/audit-logs?actor=${manager.id}`, { key: tenant.key });
    expect(byActor.body.data).toHaveLength(2);
    const future = await hub.request('GET', `/v1/audit-logs?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { key: tenant.key });
    expect(future.body.data).toEqual([]);
    const past = await hub.request('GET', `/v1/audit-logs?to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}&limit=2`, { key: tenant.key });
    expect(past.body.pagination).toEqual({ page: 1, limit: 2, total: 4, totalPages: 2 });
  });

  it('the app role can neither update nor delete audit rows', async () => {
    await expect(hub.db.withTenant(tenant.id, (trx) => trx('audit_log').where({ tenant_id: tenant.id }).update({ action: 'x' }))).rejects.toThrow(
      /permission denied/,
    );
    await expect(hub.db.withTenant(tenant.id, (trx) => trx('audit_log').where({ tenant_id: tenant.id }).del())).rejects.toThrow(/permission denied/);
  });

  it('verification passes on an intact chain and names the tampered row after a manual edit', async () => {
    const victim = await hub.createTenant();
    for (let index = 0; index < 3; index += 1) await createUser(hub, victim.key);
    expect((await verifyAuditChain(hub.db, victim.id)).breaks).toEqual([]);
    const clean = await auditVerify(victim.slug);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`ok       ${victim.slug}: 4 rows`);

    // Tamper as the owner, with the append-only trigger disabled for the moment.
    await owner.transaction(async (trx) => {
      await trx.raw('alter table audit_log disable trigger audit_log_no_update');
      await trx('audit_log')
        .where({ tenant_id: victim.id, seq: 3 })
        .update({ details: JSON.stringify({ after: { email: 'someone-else@example.test', role: 'admin' } }) });
      await trx.raw('alter table audit_log enable trigger audit_log_no_update');
    });
    const report = await verifyAuditChain(hub.db, victim.id);
    expect(report.breaks).toEqual([expect.objectContaining({ seq: 3, problem: 'hash' })]);
    const tampered = await auditVerify(victim.slug, tenant.slug);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`TAMPERED ${victim.slug}: seq 3 (hash)`);
    expect(tampered.stdout).toContain(`ok       ${tenant.slug}`);
    expect(tampered.stdout).toContain('2 tenant(s) checked, 1 with a broken chain');
  });

  it('detects a deleted row (a gap and a broken link)', async () => {
    const victim = await hub.createTenant();
    for (let index = 0; index < 2; index += 1) await createUser(hub, victim.key);
    await owner.transaction(async (trx) => {
      await trx.raw('alter table audit_log disable trigger audit_log_no_update');
      await trx('audit_log').where({ tenant_id: victim.id, seq: 2 }).del();
      await trx.raw('alter table audit_log enable trigger audit_log_no_update');
    });
    const report = await verifyAuditChain(hub.db, victim.id);
    expect(report.breaks.map((problem) => [problem.seq, problem.problem])).toEqual([
      [3, 'gap'],
      [3, 'link'],
    ]);
  });
});
