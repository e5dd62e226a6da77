import { emitEvent } from '../../platform/events/emitEvent';
import { startScanPeer } from '../peers/scan/scanPeer';
import { eventually } from '../support/eventually';
import { useHub, useStarted } from '../support/harness';
import { type CreatedTenant } from '../support/hub';
import { startWebhookReceiver } from '../support/webhookReceiver';

/**
 * Private-network allowances are per tenant (issue 17 #4): with private networking off, the range
 * the platform admin grants tenant A opens to A's connectors and webhooks only — at registration
 * and at every connection — and tenants cannot grant themselves one.
 */
describe('per-tenant private-network allowances', () => {
  const peer = useStarted(() => startScanPeer({ port: 0, apiKey: 'k-123' }));
  const receiver = useStarted(() => startWebhookReceiver());
  // The peers listen on 127.0.0.1 over plain http: private networking off, http allowed (development only).
  const {
    hub,
    tenants: [vpnTenant, otherTenant],
    owner,
  } = useHub({ env: { HUB_ALLOW_PRIVATE_NETWORK: 'false', HUB_ALLOW_INSECURE_HTTP: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms' }, tenants: [{}, {}] });

  const allowances = (tenant: CreatedTenant) => `/v1/admin/tenants/${tenant.id}/network-allowances`;

  async function grant(tenant: CreatedTenant, cidrs: string[]) {
    const response = await hub.request('PUT', allowances(tenant), { admin: true, body: { allowances: cidrs.map((cidr) => ({ cidr, note: 'site VPN' })) } });
    expect(response.status).toBe(200);
    return response.body.data as Array<{ cidr: string; note: string | null; createdAt: string }>;
  }

  const registerScan = (tenant: CreatedTenant, name: string) =>
    hub.request('POST', '/v1/connectors', { key: tenant.key, body: { type: 'scan', name, config: { endpoint: peer.url }, credentials: { apiKey: 'k-123' } } });

  afterEach(async () => {
    for (const tenant of [vpnTenant, otherTenant]) await hub.request('DELETE', allowances(tenant), { admin: true });
  });

  it("opens the granted range to that tenant's connectors only, at registration and when used", async () => {
    expect(await grant(vpnTenant, ['127.0.0.1/32'])).toEqual([{ cidr: '127.0.0.1/32', note: 'site VPN', createdAt: expect.any(String) }]);

    const allowed = await registerScan(vpnTenant, 'on-prem scans');
    expect(allowed.status).toBe(201);
    const tested = await hub.request('POST', `/v1/connectors/${allowed.body.connector.id}/test`, { key: vpnTenant.key });
    expect(tested.body).toMatchObject({ ok: true, details: { provider: 'hub-scan-peer' } });

    const refused = await registerScan(otherTenant, 'not mine');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'URL_NOT_ALLOWED',
      details: [{ path: 'body.config.endpoint', message: expect.stringContaining('not a public address') }],
    });

    // A connector registered while the other tenant held an allowance is refused at use once it is withdrawn.
    await grant(otherTenant, ['127.0.0.0/8']);
    const registered = await registerScan(otherTenant, 'was allowed');
    expect(registered.status).toBe(201);
    expect((await hub.request('DELETE', allowances(otherTenant), { admin: true })).status).toBe(204);
    const afterWithdrawal = await hub.request('POST', `/v1/connectors/${registered.body.connector.id}/test`, { key: otherTenant.key });
    expect(afterWithdrawal.body).toMatchObject({ ok: false, error: { message: expect.stringContaining('not a public address') } });
    // The first tenant's allowance is untouched by the other's changes.
    expect((await hub.request('POST', `/v1/connectors/${allowed.body.connector.id}/test`, { key: vpnTenant.key })).body.ok).toBe(true);
  });

  it("delivers webhooks into the granted range for that tenant only, checking each connection with the endpoint's tenant", async () => {
    await grant(vpnTenant, ['127.0.0.0/8']);
    const created = await hub.request('POST', '/v1/webhooks', { key: vpnTenant.key, body: { url: receiver.url, events: ['job.completed'] } });
    expect(created.status).toBe(201);
    const refused = await hub.request('POST', '/v1/webhooks', { key: otherTenant.key, body: { url: receiver.url, events: ['job.completed'] } });
    expect([refused.status, refused.body.error.code, refused.body.error.details[0].path]).toEqual([400, 'URL_NOT_ALLOWED', 'body.url']);

    const delivered = await hub.db.withTenant(vpnTenant.id, (trx) =>
      emitEvent(trx, { tenantId: vpnTenant.id, type: 'job.completed', data: { jobId: 'vpn-job' } }),
    );
    await eventually(() => (receiver.byId(delivered).length > 0 ? true : undefined), 30_000, "the allowed tenant's webhook");

    // The other tenant's endpoint, registered while it held an allowance, is refused at delivery once that is withdrawn.
    await grant(otherTenant, ['127.0.0.1/32']);
    const other = await hub.request('POST', '/v1/webhooks', { key: otherTenant.key, body: { url: receiver.url, events: ['job.completed'] } });
    expect(other.status).toBe(201);
    await hub.request('DELETE', allowances(otherTenant), { admin: true });
    const blocked = await hub.db.withTenant(otherTenant.id, (trx) =>
      emitEvent(trx, { tenantId: otherTenant.id, type: 'job.completed', data: { jobId: 'other-job' } }),
    );
    const attempt = await eventually(
      async () => {
        const list = await hub.request('GET', `/v1/webhooks/${other.body.webhook.id}/deliveries`, { key: otherTenant.key });
        return list.body.data[0]?.attempts?.[0] as { outcome: string; error: string } | undefined;
      },
      30_000,
      "the other tenant's delivery attempt",
    );
    expect(attempt.error).toContain('not a public address');
    expect(receiver.byId(blocked)).toEqual([]);
  });

  it('is managed by the platform admin only, audited in the tenant log', async () => {
    // A tenant admin key is not the platform admin token, as a bearer token or as X-API-Key.
    for (const options of [{ key: vpnTenant.key }, { headers: { authorization: `Bearer ${vpnTenant.key}` } }]) {
      const put = await hub.request('PUT', allowances(vpnTenant), { ...options, body: { allowances: [{ cidr: '10.0.0.0/8' }] } });
      expect([put.status, put.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
      expect((await hub.request('GET', allowances(vpnTenant), options)).status).toBe(401);
    }
    // Tenant settings have no such field: the strict schema refuses it.
    const patch = await hub.request('PATCH', '/v1/tenant', { key: vpnTenant.key, body: { settings: { security: { networkAllowances: ['10.0.0.0/8'] } } } });
    expect(patch.status).toBe(400);
    expect(await owner('tenant_network_allowances').where({ tenant_id: vpnTenant.id })).toEqual([]);

    // Host bits are dropped; ranges no tenant may reach are refused.
    expect((await grant(vpnTenant, ['10.20.30.40/16'])).map((allowance) => allowance.cidr)).toEqual(['10.20.0.0/16']);
    for (const cidr of ['169.254.169.254/32', '0.0.0.0/0', '10.0.0.0/4', 'fe80::/64']) {
      const response = await hub.request('PUT', allowances(vpnTenant), { admin: true, body: { allowances: [{ cidr }] } });
      expect([cidr, response.status, response.body.error.code]).toEqual([cidr, 400, expect.stringMatching(/^(CIDR_NOT_ALLOWED|VALIDATION_FAILED)$/)]);
    }
    const listed = await hub.request('GET', allowances(vpnTenant), { admin: true });
    expect(listed.body.data.map((allowance: { cidr: string }) => allowance.cidr)).toEqual(['10.20.0.0/16']);
    expect((await hub.request('GET', '/v1/admin/tenants/00000000-0000-4000-8000-000000000000/network-allowances', { admin: true })).status).toBe(404);

    const audit = await hub.request('GET', '/v1/audit-logs?action=tenant.network_allowances_changed', { key: vpnTenant.key });
    const entries = (audit.body.data as Array<{ action: string; actor: { type: string }; details: { after: { allowances: Array<{ cidr: string }> } } }>).filter(
      (entry) => entry.action === 'tenant.network_allowances_changed',
    );
    expect(entries[0]).toMatchObject({ actor: { type: 'platform_admin' }, details: { after: { allowances: [{ cidr: '10.20.0.0/16' }] } } });
  });
});
