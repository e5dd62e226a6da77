import { randomUUID } from 'node:crypto';
import { recordUsage } from '../../platform/metering/recordUsage';
import { startTestHub } from '../support/hub';
import { useHub } from '../support/harness';
import { createKey } from '../support/tenantKeys';

describe('usage metering: every authenticated request, buffered, aggregated by GET /v1/usage', () => {
  const { hub, owner } = useHub();

  it('counts exactly the requests made, by endpoint, kind and day, with status and latency', async () => {
    const tenant = await hub.createTenant();
    const viewer = await createKey(hub, tenant, 'viewer'); // 1 × POST /v1/api-keys
    for (let index = 0; index < 5; index += 1) await hub.request('GET', '/v1/users', { key: viewer.key });
    for (let index = 0; index < 3; index += 1) await hub.request('GET', '/v1/tenant', { key: tenant.key });
    await hub.request('GET', '/v1/users/not-a-uuid', { key: viewer.key }); // 400
    await hub.request('GET', `/v1/users/${randomUUID()}`, { key: viewer.key }); // 404
    await hub.request('POST', '/v1/users', { key: viewer.key, body: { email: 'x@y.test', name: 'X', role: 'viewer' } }); // 403
    await hub.request('GET', '/v1/users', { key: 'hub_sk_not-a-key' }); // unauthenticated: not metered

    const byEndpoint = await hub.request('GET', '/v1/usage?groupBy=endpoint', { key: tenant.key });
    expect(byEndpoint.status).toBe(200);
    const rows = Object.fromEntries(
      byEndpoint.body.data.map((row: { key: string; events: number; quantity: number; errors: number }) => [
        row.key,
        { events: row.events, quantity: row.quantity, errors: row.errors },
      ]),
    );
    expect(rows).toEqual({
      'POST /v1/api-keys': { events: 1, quantity: 1, errors: 0 },
      'GET /v1/users': { events: 5, quantity: 5, errors: 0 },
      'GET /v1/tenant': { events: 3, quantity: 3, errors: 0 },
      'GET /v1/users/:id': { events: 2, quantity: 2, errors: 2 },
      'POST /v1/users': { events: 1, quantity: 0, errors: 1 }, // refused by role: recorded, not billed
    });
    expect(byEndpoint.body.data.every((row: { avgLatencyMs: number }) => row.avgLatencyMs > 0)).toBe(true);

    // The previous GET /v1/usage is metered too: 12 + 1 events, of which the 403 is not billed.
    const byKind = await hub.request('GET', '/v1/usage?groupBy=kind', { key: tenant.key });
    expect(byKind.body.data).toEqual([expect.objectContaining({ key: 'api_call', kind: 'api_call', events: 13, quantity: 12, costUnits: 12 })]);
    expect(byKind.body.totals).toEqual({ api_call: 12 });
    expect(byKind.body.quota.used).toBe(12);
    const byDay = await hub.request('GET', '/v1/usage?groupBy=day', { key: tenant.key });
    expect(byDay.body.data).toEqual([expect.objectContaining({ key: new Date().toISOString().slice(0, 10), events: 14 })]);
    expect(byDay.body.seats).toMatchObject({ billable: 1, active: 1, invited: 0, included: 1_000, overageCents: 0 });

    const events = await owner('usage_events').where({ tenant_id: tenant.id, route: '/v1/users', method: 'GET' }).select('api_key_id', 'status', 'method');
    expect(events).toHaveLength(5);
    expect(events.every((event) => event.api_key_id === viewer.id && event.status === 200 && event.method === 'GET')).toBe(true);

    const empty = await hub.request('GET', `/v1/usage?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`, { key: tenant.key });
    expect(empty.body.data).toEqual([]);
    expect((await hub.request('GET', '/v1/usage?groupBy=hour', { key: tenant.key })).status).toBe(400);
  });

  it('writes buffered events on graceful shutdown (nothing lost)', async () => {
    const quiet = await startTestHub({ USAGE_FLUSH_INTERVAL: '1h' });
    const tenant = await quiet.createTenant();
    for (let index = 0; index < 7; index += 1) await quiet.request('GET', '/v1/tenant', { key: tenant.key });
    expect(await owner('usage_events').where({ tenant_id: tenant.id }).count({ n: '*' })).toEqual([{ n: '0' }]);
    expect(quiet.controlPlane.usage.pending).toBe(7);
    await quiet.stop();
    expect(await owner('usage_events').where({ tenant_id: tenant.id }).count({ n: '*' })).toEqual([{ n: '7' }]);
    expect(await owner('usage_counters').where({ tenant_id: tenant.id, kind: 'api_call' }).first('quantity')).toEqual({ quantity: '7' });
  });

  it('flushes every tenant in one transaction, and a tenant whose write fails holds back no other', async () => {
    const quiet = await startTestHub({ USAGE_FLUSH_INTERVAL: '1h' });
    try {
      const [first, second] = [await quiet.createTenant(), await quiet.createTenant()];
      const unknownTenant = randomUUID();
      const event = (tenantId: string) => ({
        tenantId,
        kind: 'api_call',
        quantity: 1,
        method: 'GET',
        route: '/v1/tenant',
        status: 200,
        latencyMs: 1.5,
        costUnits: 1,
      });
      for (let index = 0; index < 3; index += 1) quiet.controlPlane.usage.record(event(first.id));
      for (let index = 0; index < 2; index += 1) quiet.controlPlane.usage.record(event(second.id));
      await quiet.controlPlane.usage.flush();
      expect(quiet.controlPlane.usage.pending).toBe(0);
      const written = async (tenantId: string) =>
        (await owner('usage_events').where({ tenant_id: tenantId, route: '/v1/tenant', status: 200 }).count({ n: '*' }))[0];
      expect(await written(first.id)).toEqual({ n: '3' });
      expect(await written(second.id)).toEqual({ n: '2' });

      // A tenant that does not exist fails its insert (foreign key): the others are written anyway.
      quiet.controlPlane.usage.record(event(first.id));
      quiet.controlPlane.usage.record(event(unknownTenant));
      quiet.controlPlane.usage.record(event(second.id));
      await quiet.controlPlane.usage.flush();
      expect(await written(first.id)).toEqual({ n: '4' });
      expect(await written(second.id)).toEqual({ n: '3' });
      expect(quiet.controlPlane.usage.pending).toBe(1);
    } finally {
      // The unknown tenant's event can never be written: drop it rather than wait out the drain.
      (quiet.controlPlane.usage as unknown as { buffer: unknown[] }).buffer = [];
      await quiet.stop();
    }
  });

  it('stores every field of an event as recorded (the row is encoded when the event is recorded)', async () => {
    const tenant = await hub.createTenant();
    const occurredAt = new Date('2026-11-02T03:04:05.678Z');
    const details = { note: 'quote " backslash \\ tab \t é', nested: { n: 1 } };
    await recordUsage(hub.db, {
      tenantId: tenant.id,
      kind: 'api_call',
      quantity: 2,
      occurredAt,
      apiKeyId: tenant.keyId,
      method: 'POST',
      route: '/v1/users/:id',
      status: 201,
      latencyMs: 12.3456,
      costUnits: 3,
      details,
    });
    const [row] = await owner('usage_events').where({ tenant_id: tenant.id });
    expect(row).toMatchObject({
      kind: 'api_call',
      quantity: '2',
      api_key_id: tenant.keyId,
      method: 'POST',
      route: '/v1/users/:id',
      status: 201,
      cost_units: 3,
      dedupe_key: null,
      details,
    });
    expect(row.occurred_at.toISOString()).toBe(occurredAt.toISOString());
    expect(row.latency_ms).toBeCloseTo(12.35, 5);
  });

  it('recordUsage (for activities) counts an event once per dedupe key, for any kind', async () => {
    const tenant = await hub.createTenant();
    const first = await recordUsage(hub.db, { tenantId: tenant.id, kind: 'scan', quantity: 12, dedupeKey: 'job/x/batch_scan/1/page-1' });
    const again = await recordUsage(hub.db, { tenantId: tenant.id, kind: 'scan', quantity: 12, dedupeKey: 'job/x/batch_scan/1/page-1' });
    expect(first).toEqual([expect.objectContaining({ kind: 'scan', quantity: 12 })]);
    expect(again).toEqual([]);
    await recordUsage(hub.db, { tenantId: tenant.id, kind: 'sync_records', quantity: 250 });
    const usage = await hub.request('GET', '/v1/usage?groupBy=kind', { key: tenant.key });
    expect(usage.body.totals).toEqual({ scan: 12, sync_records: 250 });
    await expect(recordUsage(hub.db, { tenantId: tenant.id, kind: 'Bad Kind', quantity: 1 })).rejects.toThrow(/snake_case/);
  });
});
