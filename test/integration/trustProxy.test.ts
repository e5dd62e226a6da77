import { useHub } from '../support/harness';
import { eventually } from '../support/eventually';
import { type TestHub, type CreatedTenant } from '../support/hub';

/**
 * The tenant IP allowlist and the audit log's addresses behind a reverse proxy. A proxy appends the
 * address it saw to X-Forwarded-For; whatever the client wrote comes before it. The hub believes
 * only the hops it is told to (a count, or proxy addresses), counted from the right, so a forged
 * left-most entry neither passes the allowlist nor lands in the audit log.
 */
const ALLOWED = '198.51.100.7';
const ATTACKER = '203.0.113.9';

async function allowOnly(hub: TestHub, owner: ReturnType<typeof useHub>['owner'], tenant: CreatedTenant) {
  await owner('tenants')
    .where({ id: tenant.id })
    .update({ settings: JSON.stringify({ security: { ipAllowlist: [`${ALLOWED}/32`] } }) });
  // The credential cache follows the change (LISTEN/NOTIFY); wait until the socket address is refused.
  await eventually(
    async () => ((await hub.request('GET', '/v1/tenant', { key: tenant.key })).status === 403 ? true : undefined),
    5_000,
    'the allowlist to apply',
    50,
  );
}

const asProxied = (hub: TestHub, tenant: CreatedTenant, forwardedFor: string) =>
  hub.request('GET', '/v1/tenant', { key: tenant.key, headers: { 'X-Forwarded-For': forwardedFor } });

describe.each([
  ['a hop count (API_TRUST_PROXY=true means one hop)', 'true'],
  ['the proxy addresses (API_TRUST_PROXY=127.0.0.0/8)', '127.0.0.0/8'],
])('X-Forwarded-For behind one proxy, trusted by %s', (_label, trust) => {
  const { hub, tenant, owner } = useHub({ env: { API_TRUST_PROXY: trust }, tenants: [{}] });

  it('takes the address the proxy saw, never one the client wrote', async () => {
    await allowOnly(hub, owner, tenant);
    // The real client is the allowed address: the proxy appended it.
    expect((await asProxied(hub, tenant, ALLOWED)).status).toBe(200);
    expect((await asProxied(hub, tenant, `${ATTACKER}, ${ALLOWED}`)).status).toBe(200);
    // An attacker writes the allowed address first; the proxy appends the attacker's real one.
    const forged = await asProxied(hub, tenant, `${ALLOWED}, ${ATTACKER}`);
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('IP_NOT_ALLOWED');
  });

  it('records the proxied client address in the audit log, not a forged one', async () => {
    await owner('tenants')
      .where({ id: tenant.id })
      .update({ settings: JSON.stringify({}) });
    await eventually(
      async () => ((await hub.request('GET', '/v1/tenant', { key: tenant.key })).status === 200 ? true : undefined),
      5_000,
      'the allowlist to clear',
      50,
    );
    const created = await hub.request('POST', '/v1/users', {
      key: tenant.key,
      headers: { 'X-Forwarded-For': `10.9.9.9, ${ATTACKER}` },
      body: { email: `proxied-${trust.replace(/\W/g, '')}@example.test`, name: 'Proxied', role: 'member' },
    });
    expect(created.status).toBe(201);
    const row = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.created', target_id: created.body.user.id }).first();
    expect(row.ip).toBe(ATTACKER);
  });
});

describe('API_TRUST_PROXY unset', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{}] });

  it('ignores X-Forwarded-For: the socket address decides', async () => {
    await allowOnly(hub, owner, tenant);
    expect((await asProxied(hub, tenant, ALLOWED)).status).toBe(403);
  });
});
