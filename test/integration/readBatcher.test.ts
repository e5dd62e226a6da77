import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase, type Database } from '../../platform/db';
import { ownerDb, uniqueSuffix } from '../support/hub';

/** readAsTenant coalesces concurrent reads into shared round trips without mixing up their scopes or errors. */
describe('batched single-round-trip reads', () => {
  const owner = ownerDb();
  let db: Database;
  const tenants = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    // poolMax 3 → one message in flight at a time: everything else queues and is batched.
    db = createDatabase({ url: appDatabaseUrl(loadConfig()), poolMax: 3, applicationName: 'batch-test' });
    for (const id of tenants) {
      await owner('tenants').insert({ id, slug: `batch-${uniqueSuffix()}`, name: 'Batch', plan: 'starter' });
      await owner('users').insert({ id: randomUUID(), tenant_id: id, email: `u@${id}.test`, name: id, role: 'member' });
    }
  });
  afterAll(async () => {
    await db.close();
    await owner.destroy();
  });

  it('answers 60 concurrent reads of two tenants, each within its own tenant, and isolates a failing one', async () => {
    const reads = Array.from({ length: 60 }, (_, index) => {
      const tenantId = tenants[index % 2]!;
      if (index === 17)
        return db.readAsTenant(tenantId, db.knex.raw('select 1/0 as boom')).then(
          () => 'no error',
          (error: Error) => error.message,
        );
      return db.readAsTenant<{ name: string }>(tenantId, db.knex('users').select('name')).then((rows) => rows.map((row) => row.name).join(','));
    });
    const answers = await Promise.all(reads);
    answers.forEach((answer, index) => {
      expect(answer).toBe(index === 17 ? 'division by zero' : tenants[index % 2]);
    });
    // The pool is healthy afterwards.
    expect(await db.readAsTenant(tenants[0]!, db.knex('tenants').select('id'))).toEqual([{ id: tenants[0] }]);
  });

  it('writes as several tenants in one transaction: each statement in its own scope, all or nothing', async () => {
    const insertUser = (tenantId: string, email: string) => ({
      tenantId,
      statement: {
        sql: `insert into users (id, tenant_id, email, name, role) values ($1, $2, $3, 'Pipelined', 'member') returning (select count(*) from users) as visible`,
        values: [randomUUID(), tenantId, email],
      },
    });
    const [first, second] = await db.writeAsTenants<{ visible: string }>([insertUser(tenants[0]!, 'a@pipe.test'), insertUser(tenants[1]!, 'b@pipe.test')]);
    // Each statement saw only its own tenant's users (one seeded, none yet inserted by this statement).
    expect(first).toEqual([{ visible: '1' }]);
    expect(second).toEqual([{ visible: '1' }]);
    // A statement writing into another tenant breaks RLS's check: the whole message rolls back.
    const crossTenant = { tenantId: tenants[0]!, statement: insertUser(tenants[1]!, 'c@pipe.test').statement };
    await expect(db.writeAsTenants([insertUser(tenants[0]!, 'd@pipe.test'), crossTenant])).rejects.toThrow(/row-level security/);
    const emails = await owner('users').whereIn('tenant_id', tenants).whereLike('email', '%@pipe.test').orderBy('email').pluck('email');
    expect(emails).toEqual(['a@pipe.test', 'b@pipe.test']);
  });

  it('never lets a setting of one read leak into the next read of the same message', async () => {
    // A key lookup sets app.api_key_prefix, a platform read app.platform; the tenant reads batched
    // after them set only app.tenant_id and must see neither.
    const settingsSeen = db.knex.raw(
      `select coalesce(current_setting('app.api_key_prefix', true), '') as prefix, coalesce(current_setting('app.platform', true), '') as platform, (select count(*) from tenants)::int as tenants`,
    );
    const reads = Array.from({ length: 30 }, (_, index) =>
      index % 3 === 0
        ? db.readWithSettings<{ prefix: string; platform: string }>({ 'app.api_key_prefix': 'hub_leak', 'app.platform': 'on' }, settingsSeen)
        : db.readAsTenant<{ prefix: string; platform: string; tenants: number }>(tenants[index % 2]!, settingsSeen),
    );
    const answers = await Promise.all(reads);
    answers.forEach((rows, index) => {
      if (index % 3 === 0) expect(rows[0]).toMatchObject({ prefix: 'hub_leak', platform: 'on' });
      else expect(rows[0]).toEqual({ prefix: '', platform: '', tenants: 1 });
    });
  });

  it('prepares a read afresh when a schema change made its cached plan stale', async () => {
    await owner.raw('create table plan_probe (a int)');
    try {
      await owner.raw(`grant select on plan_probe to hub_app`);
      await owner('plan_probe').insert({ a: 1 });
      expect(await db.readAsTenant(tenants[0]!, db.knex('plan_probe'))).toEqual([{ a: 1 }]);
      await owner.raw('alter table plan_probe add column b int default 2');
      expect(await db.readAsTenant(tenants[0]!, db.knex('plan_probe'))).toEqual([{ a: 1, b: 2 }]);
    } finally {
      await owner.raw('drop table plan_probe');
    }
  });
});
