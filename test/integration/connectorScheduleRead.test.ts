import { startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { registerSalesforceConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';

/** GET /v1/connectors/:id/schedule (what the console shows of a connector's schedule, read back from Temporal) and cron schedules. */
describe('connector schedule: read, cron', () => {
  const peer = useStarted(() => startSalesforcePeer({ port: 0, records: { Account: 10, Contact: 0, Opportunity: 0 } }));
  const { hub, tenant } = useHub({ tenants: [{}] });

  it('answers null without a schedule, then the interval, reconcile interval, next run and paused state Temporal holds; 404 for another tenant', async () => {
    const connectorId = await registerSalesforceConnector(hub, tenant, peer);
    const none = await hub.request('GET', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ schedule: null });

    const put = await hub.request('PUT', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key, body: { every: '2h', reconcileEvery: '1d' } });
    expect(put.status).toBe(200);
    const read = await hub.request('GET', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key });
    expect(read.status).toBe(200);
    expect(read.body.schedule).toMatchObject({
      connectorId,
      every: '2h',
      cron: null,
      scheduleId: `sync-schedule/${tenant.slug}/${connectorId}`,
      paused: false,
      reconcile: { every: '1d', scheduleId: `sync-schedule/${tenant.slug}/${connectorId}/reconcile` },
    });
    const untilNext = Date.parse(read.body.schedule.nextRunAt) - Date.now();
    expect(untilNext).toBeGreaterThan(0);
    expect(untilNext).toBeLessThanOrEqual(2 * 3_600_000);
    expect(Date.parse(read.body.schedule.reconcile.nextRunAt)).toBeGreaterThan(Date.now());

    await hub.request('POST', `/v1/connectors/${connectorId}/pause`, { key: tenant.key });
    expect((await hub.request('GET', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key })).body.schedule.paused).toBe(true);
    await hub.request('POST', `/v1/connectors/${connectorId}/resume`, { key: tenant.key });
    expect((await hub.request('GET', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key })).body.schedule.paused).toBe(false);

    const other = await hub.createTenant();
    expect((await hub.request('GET', `/v1/connectors/${connectorId}/schedule`, { key: other.key })).status).toBe(404);
    expect((await hub.request('DELETE', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key })).status).toBe(204);
    expect((await hub.request('GET', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key })).body).toEqual({ schedule: null });
  });

  it('a cron expression (UTC) schedules the incremental runs instead of an interval; exactly one of every and cron; one Temporal cannot parse is a 400 on body.cron', async () => {
    const connectorId = await registerSalesforceConnector(hub, tenant, peer);
    const path = `/v1/connectors/${connectorId}/schedule`;
    const put = await hub.request('PUT', path, { key: tenant.key, body: { cron: '30 3 * * *' } });
    expect(put.status).toBe(200);
    expect(put.body.schedule).toMatchObject({ connectorId, every: null, cron: '30 3 * * *', reconcile: null });
    const next = new Date(put.body.schedule.nextRunAt);
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([3, 30]);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    const described = await hub.temporal.schedule.getHandle(put.body.schedule.scheduleId).describe();
    expect(described.memo).toMatchObject({ cron: '30 3 * * *' });
    expect((await hub.request('GET', path, { key: tenant.key })).body.schedule).toMatchObject({ every: null, cron: '30 3 * * *', paused: false });

    // Back to an interval: the same schedule, now every 10 minutes.
    const interval = await hub.request('PUT', path, { key: tenant.key, body: { every: '10m' } });
    expect(interval.body.schedule).toMatchObject({ every: '10m', cron: null });
    expect(Date.parse(interval.body.schedule.nextRunAt) - Date.now()).toBeLessThanOrEqual(600_000);
    expect((await hub.request('GET', path, { key: tenant.key })).body.schedule).toMatchObject({ every: '10m', cron: null });

    const both = await hub.request('PUT', path, { key: tenant.key, body: { every: '10m', cron: '0 * * * *' } });
    expect(both.status).toBe(400);
    expect(both.body.error.details).toEqual([expect.objectContaining({ path: 'body.cron', message: 'give exactly one of every and cron' })]);
    const neither = await hub.request('PUT', path, { key: tenant.key, body: {} });
    expect(neither.status).toBe(400);
    expect(neither.body.error.details).toEqual([expect.objectContaining({ path: 'body.every' })]);
    const malformed = await hub.request('PUT', path, { key: tenant.key, body: { cron: 'every day' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details).toEqual([expect.objectContaining({ path: 'body.cron' })]);
    const unparsable = await hub.request('PUT', path, { key: tenant.key, body: { cron: '99 * * * *' } });
    expect(unparsable.status).toBe(400);
    expect(unparsable.body.error.details).toEqual([expect.objectContaining({ path: 'body.cron', message: expect.stringContaining('Temporal cannot parse') })]);
    // The refused expressions left the interval schedule as it was.
    expect((await hub.request('GET', path, { key: tenant.key })).body.schedule).toMatchObject({ every: '10m', cron: null });
  });
});
