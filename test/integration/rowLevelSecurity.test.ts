import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../platform/config';
import { APP_ROLE, appDatabaseUrl, createDatabase, type Database } from '../../platform/db';
import { ownerDb, uniqueSuffix } from '../support/hub';

/** Tenant isolation is enforced by Postgres itself, for the role the app logs in as. */
describe('row-level security', () => {
  const owner = ownerDb();
  let db: Database;
  const tenantA = randomUUID();
  const tenantB = randomUUID();

  beforeAll(async () => {
    db = createDatabase({ url: appDatabaseUrl(loadConfig()), poolMax: 2, applicationName: 'rls-test' });
    for (const id of [tenantA, tenantB]) {
      await owner('tenants').insert({ id, slug: `rls-${uniqueSuffix()}`, name: 'RLS', plan: 'starter' });
      await owner('users').insert({ id: randomUUID(), tenant_id: id, email: `u@${id}.test`, name: 'U', role: 'member' });
    }
  });
  afterAll(async () => {
    await db.close();
    await owner.destroy();
  });

  it('the app role is neither superuser nor BYPASSRLS', async () => {
    const role = await owner('pg_roles').where({ rolname: APP_ROLE }).first('rolsuper', 'rolbypassrls');
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const session = await db.knex.raw('select current_user as user');
    expect(session.rows[0].user).toBe(APP_ROLE);
  });

  it('every table with tenant_id has RLS enabled and forced, with the tenant policy', async () => {
    const tables = await owner.raw(`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity,
             exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'tenant_isolation') as has_policy
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind = 'r'
         and exists (select 1 from information_schema.columns col
                      where col.table_schema = 'public' and col.table_name = c.relname and col.column_name = 'tenant_id')`);
    expect(tables.rows.length).toBeGreaterThanOrEqual(4);
    for (const table of tables.rows) {
      expect({ table: table.relname, rls: table.relrowsecurity, forced: table.relforcerowsecurity, policy: table.has_policy }).toEqual({
        table: table.relname,
        rls: true,
        forced: true,
        policy: true,
      });
    }
  });

  it("a query in tenant A's withTenant cannot see tenant B's rows", async () => {
    const seen = await db.withTenant(tenantA, (trx) => trx('users').select('tenant_id'));
    expect(seen.map((row) => row.tenant_id)).toEqual([tenantA]);
    const direct = await db.withTenant(tenantA, (trx) => trx('users').where({ tenant_id: tenantB }));
    expect(direct).toEqual([]);
    const tenants = await db.withTenant(tenantA, (trx) => trx('tenants').select('id'));
    expect(tenants.map((row) => row.id)).toEqual([tenantA]);
  });

  it("a query in tenant A's withTenant cannot insert, update or delete tenant B's rows", async () => {
    await expect(
      db.withTenant(tenantA, (trx) => trx('users').insert({ id: randomUUID(), tenant_id: tenantB, email: 'x@b.test', name: 'X', role: 'viewer' })),
    ).rejects.toThrow(/row-level security/);
    const updated = await db.withTenant(tenantA, (trx) => trx('users').where({ tenant_id: tenantB }).update({ name: 'pwned' }));
    expect(updated).toBe(0);
    const deleted = await db.withTenant(tenantA, (trx) => trx('users').where({ tenant_id: tenantB }).del());
    expect(deleted).toBe(0);
    const untouched = await owner('users').where({ tenant_id: tenantB }).first('name');
    expect(untouched.name).toBe('U');
  });

  it('outside withTenant the app role sees no tenant rows at all', async () => {
    const users = await db.knex('users').select('id');
    expect(users).toEqual([]);
    const tenants = await db.knex('tenants').select('id');
    expect(tenants).toEqual([]);
  });

  it('readAsTenant (one round trip) is scoped the same way, and survives a failing statement', async () => {
    const rows = await db.readAsTenant<{ tenant_id: string }>(tenantA, db.knex('users').select('tenant_id'));
    expect(rows.map((row) => row.tenant_id)).toEqual([tenantA]);
    expect(await db.readAsTenant(tenantA, db.knex('users').where({ tenant_id: tenantB }))).toEqual([]);
    const hostile = await db.readAsTenant(tenantA, db.knex('users').where({ email: "x'; set local app.tenant_id = '" + tenantB + "'; --" }));
    expect(hostile).toEqual([]);
    await expect(db.readAsTenant(tenantA, db.knex.raw('select 1/0'))).rejects.toThrow(/division by zero/);
    // The pool still works afterwards (the aborted transaction was rolled back).
    expect(await db.readAsTenant(tenantA, db.knex('tenants').select('id'))).toEqual([{ id: tenantA }]);
    await expect(db.readAsTenant('nope', db.knex('users'))).rejects.toThrow(/not a tenant id/);
  });

  it("presenting a key's lookup prefix reveals that key and its tenant, nothing else", async () => {
    await owner('api_keys').insert({ id: randomUUID(), tenant_id: tenantA, name: 'k', key_prefix: 'hub_sk_rlsprobe00001', key_hash: 'x', role: 'viewer' });
    await owner('api_keys').insert({ id: randomUUID(), tenant_id: tenantB, name: 'k', key_prefix: 'hub_sk_rlsprobe00002', key_hash: 'y', role: 'viewer' });
    const keys = await db.readWithSettings<{ tenant_id: string }>({ 'app.api_key_prefix': 'hub_sk_rlsprobe00001' }, db.knex('api_keys').select('tenant_id'));
    expect(keys).toEqual([{ tenant_id: tenantA }]);
    const tenants = await db.readWithSettings<{ id: string }>({ 'app.api_key_prefix': 'hub_sk_rlsprobe00001' }, db.knex('tenants').select('id'));
    expect(tenants).toEqual([{ id: tenantA }]);
    const users = await db.readWithSettings({ 'app.api_key_prefix': 'hub_sk_rlsprobe00001' }, db.knex('users').select('id'));
    expect(users).toEqual([]);
    expect(await db.readWithSettings({ 'app.api_key_prefix': 'hub_sk_unknown000000' }, db.knex('api_keys'))).toEqual([]);
  });

  it('withTenant refuses something that is not a tenant id', async () => {
    await expect(db.withTenant('', async () => 1)).rejects.toThrow(/not a tenant id/);
  });

  it('the audit log is append-only for the app role and chained per tenant', async () => {
    await db.withTenant(tenantA, async (trx) => {
      await trx('audit_log').insert({ tenant_id: tenantA, actor_type: 'system', action: 'test.one', prev_hash: '', hash: '', seq: 0 });
      await trx('audit_log').insert({ tenant_id: tenantA, actor_type: 'system', action: 'test.two', prev_hash: '', hash: '', seq: 0 });
    });
    const rows = await owner('audit_log').where({ tenant_id: tenantA }).orderBy('seq');
    expect(rows.map((row) => Number(row.seq))).toEqual([1, 2]);
    expect(rows[0].prev_hash).toBe('0'.repeat(64));
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    await expect(db.withTenant(tenantA, (trx) => trx('audit_log').where({ tenant_id: tenantA }).update({ action: 'x' }))).rejects.toThrow(/permission denied/);
    await expect(db.withTenant(tenantA, (trx) => trx('audit_log').where({ tenant_id: tenantA }).del())).rejects.toThrow(/permission denied/);
    // Even the owner cannot rewrite history without dropping the trigger first.
    await expect(owner('audit_log').where({ tenant_id: tenantA }).update({ action: 'x' })).rejects.toThrow(/append-only/);
  });
});
