import { startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { registerSalesforceConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';

/** GET /v1/connectors/:id/schedule: what the console shows of a connector's schedule, read back from Temporal. */
describe('connector schedule: read', () => {
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
});
