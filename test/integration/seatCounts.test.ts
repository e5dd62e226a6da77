import { randomUUID } from 'node:crypto';
import { useHub } from '../support/harness';

/** Seats move by each statement's delta (users inserted, suspended, re-activated, deleted, in bulk). */
describe('seat counts', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{}] });

  async function seats(): Promise<{ counter: number; billable: number; closing: number; peak: number }> {
    const [counter] = await owner('seat_counts').where({ tenant_id: tenant.id }).select('seats');
    const [billable] = await owner('users').where({ tenant_id: tenant.id }).whereIn('status', ['invited', 'active']).count<{ count: string }[]>('* as count');
    const [daily] = await owner('seats_daily').where({ tenant_id: tenant.id }).orderBy('day', 'desc').limit(1).select('closing_seats', 'peak_seats');
    return { counter: counter.seats, billable: Number(billable!.count), closing: daily.closing_seats, peak: daily.peak_seats };
  }

  it('keeps the counter and the daily rollup equal to the billable users through every kind of change', async () => {
    expect(await seats()).toMatchObject({ counter: 1, billable: 1, closing: 1 }); // the first admin

    const ids: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const created = await hub.request('POST', '/v1/users', {
        key: tenant.key,
        body: { email: `seat-${index}@example.com`, name: `Seat ${index}`, role: 'member' },
      });
      expect(created.status).toBe(201);
      ids.push(created.body.user.id as string);
    }
    expect(await seats()).toMatchObject({ counter: 5, billable: 5, closing: 5, peak: 5 });

    const suspended = await hub.request('PATCH', `/v1/users/${ids[0]}`, { key: tenant.key, body: { status: 'suspended' } });
    expect(suspended.status).toBe(200);
    const deleted = await hub.request('DELETE', `/v1/users/${ids[1]}`, { key: tenant.key });
    expect(deleted.status).toBe(204);
    expect(await seats()).toMatchObject({ counter: 3, billable: 3, closing: 3, peak: 5 });

    // One statement touching many rows: billable and non-billable, both directions.
    await hub.db.withTenant(tenant.id, (trx) => trx('users').where({ tenant_id: tenant.id }).whereIn('id', ids).update({ status: 'active' }));
    expect(await seats()).toMatchObject({ counter: 4, billable: 4, closing: 4 });
    await hub.db.withTenant(tenant.id, (trx) =>
      trx('users').insert(
        Array.from({ length: 300 }, (_, index) => ({
          id: randomUUID(),
          tenant_id: tenant.id,
          email: `bulk-${index}@example.com`,
          name: `Bulk ${index}`,
          role: 'viewer',
          status: index % 3 === 0 ? 'suspended' : 'invited',
        })),
      ),
    );
    expect(await seats()).toMatchObject({ counter: 204, billable: 204, closing: 204, peak: 204 });
    await hub.db.withTenant(tenant.id, (trx) => trx('users').where({ tenant_id: tenant.id }).where('email', 'like', 'bulk-%').del());
    expect(await seats()).toMatchObject({ counter: 4, billable: 4, closing: 4, peak: 204 });
  });
});
