import { useHub } from '../support/harness';

describe('users: search by e-mail or name (q), with the filters and pages, on a trigram index', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{}] });

  beforeAll(async () => {
    // Distinct creation times: the list's order (oldest first) is then the insertion order.
    const at = (index: number) => new Date(Date.UTC(2026, 0, 1) + index * 1_000);
    const rows = Array.from({ length: 10_000 }, (_, index) => ({
      id: crypto.randomUUID(),
      tenant_id: tenant.id,
      email: `person${index}@bulk.test`,
      name: `Person ${index}`,
      role: index % 4 === 0 ? 'viewer' : 'member',
      created_at: at(index),
    }));
    rows.push(
      { id: crypto.randomUUID(), tenant_id: tenant.id, email: 'jane.SMITH@acme.test', name: 'Jane Doe', role: 'manager', created_at: at(10_000) },
      { id: crypto.randomUUID(), tenant_id: tenant.id, email: 'j.doe@acme.test', name: 'John Smithers', role: 'viewer', created_at: at(10_001) },
      { id: crypto.randomUUID(), tenant_id: tenant.id, email: 'percent@acme.test', name: '100% sure_thing', role: 'member', created_at: at(10_002) },
    );
    for (let start = 0; start < rows.length; start += 2_000) await owner('users').insert(rows.slice(start, start + 2_000));
    // As autovacuum would: GIN's pending list flushed and statistics current.
    await owner.raw('vacuum analyze users');
  });

  const search = (query: string, key = tenant.key) => hub.request('GET', `/v1/users?${query}`, { key });

  it('matches a fragment anywhere in the e-mail or the name, case-insensitively, oldest first', async () => {
    const smith = await search('q=smith');
    expect(smith.status).toBe(200);
    expect(smith.body.data.map((user: { email: string }) => user.email)).toEqual(['jane.SMITH@acme.test', 'j.doe@acme.test']);
    expect(smith.body.pagination).toEqual({ page: 1, limit: 25, total: 2, totalPages: 1 });
    expect((await search('q=ACME.TEST')).body.pagination.total).toBe(3);
    expect((await search('q=%20JANE%20')).body.data.map((user: { name: string }) => user.name)).toEqual(['Jane Doe']);
    expect((await search('q=person9999%40')).body.data.map((user: { name: string }) => user.name)).toEqual(['Person 9999']);
  });

  it('combines with role, status and paging; an empty q is no search', async () => {
    expect((await search('q=smith&role=viewer')).body.data.map((user: { name: string }) => user.name)).toEqual(['John Smithers']);
    expect((await search('q=smith&status=active')).body.pagination.total).toBe(0);
    const paged = await search('q=person99&limit=5&page=3');
    expect(paged.body.pagination).toEqual({ page: 3, limit: 5, total: 111, totalPages: 23 });
    // person99, person990…person999, person9900…person9999 by creation: the 11th to 15th.
    expect(paged.body.data.map((user: { name: string }) => user.name)).toEqual(['Person 999', 'Person 9900', 'Person 9901', 'Person 9902', 'Person 9903']);
    expect((await search('q=&limit=1')).body.pagination.total).toBe(10_004);
    expect((await search('q=%20%20&limit=1')).body.pagination.total).toBe(10_004);
    expect((await search(`q=${'x'.repeat(201)}`)).status).toBe(400);
  });

  it('takes % _ and \\ literally', async () => {
    expect((await search('q=100%25')).body.data.map((user: { email: string }) => user.email)).toEqual(['percent@acme.test']);
    expect((await search('q=e_t')).body.data.map((user: { email: string }) => user.email)).toEqual(['percent@acme.test']);
    expect((await search('q=%25')).body.pagination.total).toBe(1);
    expect((await search('q=_')).body.pagination.total).toBe(1);
    expect((await search('q=%5C')).body.pagination.total).toBe(0);
  });

  it('never finds another tenant’s users', async () => {
    const other = await hub.createTenant();
    expect((await search('q=smith', other.key)).body.pagination.total).toBe(0);
    expect((await search('q=acme.test', other.key)).body.data).toEqual([]);
  });

  it('answers a search from the trigram index within the tenant, not from the tenant’s rows', async () => {
    const plan = await owner.raw(`explain (format json) select id from users where tenant_id = ? and (email ilike ? or name ilike ?)`, [
      tenant.id,
      '%smith%',
      '%smith%',
    ]);
    const text = JSON.stringify(plan.rows[0]['QUERY PLAN']);
    expect(text).toContain('users_search_trgm');
    expect(text).not.toContain('Seq Scan');
    expect(text).not.toContain('users_tenant_email_unique');
  });
});
