import Papa from 'papaparse';
import { appendAudit } from '../../platform/audit';
import { useHub } from '../support/harness';
import { createKey, createUser } from '../support/tenantKeys';

function csvRows(text: string): Array<Record<string, string>> {
  return Papa.parse<Record<string, string>>(text.trim(), { header: true }).data;
}

describe('audit log export: the filtered rows as CSV, audited', () => {
  const { hub, tenant } = useHub({ tenants: [{}] });

  it('streams the rows the list shows for the same filter, newest first, and audits the export', async () => {
    const manager = await createKey(hub, tenant, 'manager');
    const userId = await createUser(hub, manager.key, { name: '=HYPERLINK("http://evil")' });
    await hub.request('PATCH', `/v1/users/${userId}`, { key: manager.key, body: { role: 'viewer' } });

    const listed = await hub.request('GET', '/v1/audit-logs?action=user.*', { key: tenant.key });
    const exported = await hub.request('GET', '/v1/audit-logs/export?action=user.*', { key: tenant.key });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = csvRows(exported.text);
    expect(rows.map((row) => row.action)).toEqual(['user.updated', 'user.created']);
    expect(rows.map((row) => Number(row.seq))).toEqual(listed.body.data.map((entry: { seq: number }) => entry.seq));
    expect(rows[1]).toMatchObject({ actor_type: 'api_key', actor_id: manager.id, actor_role: 'manager', target_type: 'user', target_id: userId });
    expect(rows[1]!.hash).toBe(listed.body.data[1].hash);
    expect(JSON.parse(rows[0]!.details!)).toMatchObject({ before: { role: 'member' }, after: { role: 'viewer' } });
    // A name that a spreadsheet would run as a formula is written as text.
    expect(exported.text).not.toContain(',=HYPERLINK');

    const byActor = csvRows((await hub.request('GET', `/v1/audit-logs/export?actor=${manager.id}`, { key: tenant.key })).text);
    expect(byActor.map((row) => row.action)).toEqual(['user.updated', 'user.created']);
    const none = await hub.request('GET', `/v1/audit-logs/export?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, {
      key: tenant.key,
    });
    expect(none.text.trim()).toBe('seq,occurred_at,actor_type,actor_id,actor_role,ip,request_id,action,target_type,target_id,details,hash');

    const audited = await hub.request('GET', '/v1/audit-logs?action=audit_log.exported', { key: tenant.key });
    expect(audited.body.pagination.total).toBe(3);
    expect(audited.body.data[2]).toMatchObject({ actor: { type: 'api_key', id: tenant.keyId }, details: { filter: { action: 'user.*' } } });
    // Unfiltered, the export holds every earlier row but not its own audit row.
    const everything = csvRows((await hub.request('GET', '/v1/audit-logs/export', { key: tenant.key })).text);
    const after = await hub.request('GET', '/v1/audit-logs?limit=100', { key: tenant.key });
    expect(everything.map((row) => Number(row.seq))).toEqual(after.body.data.slice(1).map((entry: { seq: number }) => entry.seq));
  });

  it('streams more rows than one read chunk, each once, newest first', async () => {
    await hub.db.withTenant(tenant.id, async (trx) => {
      for (let index = 0; index < 1_005; index += 1) {
        await appendAudit(trx, { tenantId: tenant.id, actor: { type: 'system' }, action: 'bench.seeded', details: { index } });
      }
    });
    const rows = csvRows((await hub.request('GET', '/v1/audit-logs/export?action=bench.seeded', { key: tenant.key })).text);
    expect(rows).toHaveLength(1_005);
    expect(rows.map((row) => JSON.parse(row.details!).index)).toEqual(Array.from({ length: 1_005 }, (_, index) => 1_004 - index));
  });

  it('is for admins only, like the list; bad filters are refused with details', async () => {
    const manager = await createKey(hub, tenant, 'manager');
    expect((await hub.request('GET', '/v1/audit-logs/export', { key: manager.key })).status).toBe(403);
    const bad = await hub.request('GET', '/v1/audit-logs/export?action=DROP%20TABLE', { key: tenant.key });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.action');
  });
});
