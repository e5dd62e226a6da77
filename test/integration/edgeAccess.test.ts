import { generateApiKey, parseApiKey } from '../../platform/apiKeys';
import { errorResponseSchema } from '../../api/errors';
import { useHub } from '../support/harness';
import { createKey } from '../support/tenantKeys';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Before any credential is looked up: the per-address budget of failed authentications; and who
 * may read the hub's internals (/metrics, the checks of /readyz). One reverse proxy is trusted, so
 * each test speaks from an address of its own (X-Forwarded-For).
 */
describe('the edge: failed authentications throttled per address, operator-only metrics and readiness detail', () => {
  const { hub, tenant } = useHub({
    env: { API_TRUST_PROXY: '1', API_AUTH_FAILURES_PER_IP: '5', API_AUTH_FAILURE_WINDOW: '3s', API_OPERATOR_NETWORKS: '198.51.100.0/24' },
    tenants: [{}],
  });
  const from = (address: string, headers: Record<string, string> = {}) => ({ 'X-Forwarded-For': address, ...headers });

  it('past the budget of failed authentications an address gets 429 with Retry-After, before any key lookup; other addresses do not', async () => {
    const attacker = '203.0.113.10';
    const valid = await createKey(hub, tenant, 'viewer');
    const bad = [generateApiKey().key, 'hub_sk_short', generateApiKey().key, generateApiKey().key, generateApiKey().key];
    for (const key of bad) {
      const response = await hub.request('GET', '/v1/tenant', { headers: from(attacker, { 'X-API-Key': key }) });
      expect(response.status).toBe(401);
    }
    // The budget (5) is used up: bad, missing and even valid keys are refused without a lookup.
    expect(hub.controlPlane.credentials.enabled).toBe(true);
    const validPrefix = parseApiKey(valid.key)!.lookupPrefix;
    const refusedHeaders: Array<Record<string, string>> = [{ 'X-API-Key': generateApiKey().key }, {}, { 'X-API-Key': valid.key }];
    for (const headers of refusedHeaders) {
      const response = await hub.request('GET', '/v1/users', { headers: from(attacker, headers) });
      expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
      expect(errorResponseSchema.strict().safeParse(response.body).success).toBe(true);
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3);
    }
    // The valid key was not looked up: a lookup would have cached it.
    expect(hub.controlPlane.credentials.get(validPrefix)).toBeUndefined();
    // The platform admin routes share the budget.
    expect((await hub.request('GET', '/v1/admin/tenants', { admin: true, headers: from(attacker) })).status).toBe(429);

    // Another address is unaffected, and a successful request costs nothing from the budget.
    for (let index = 0; index < 8; index += 1) {
      expect((await hub.request('GET', '/v1/tenant', { headers: from('203.0.113.11', { 'X-API-Key': valid.key }) })).status).toBe(200);
    }
    expect((await hub.request('GET', '/v1/tenant', { headers: from('203.0.113.11', { 'X-API-Key': bad[0]! }) })).status).toBe(401);

    // The window ends: the address may try again.
    await sleep(3_200);
    expect((await hub.request('GET', '/v1/tenant', { headers: from(attacker, { 'X-API-Key': valid.key }) })).status).toBe(200);
  });

  it('wrong admin tokens count too', async () => {
    const attacker = '203.0.113.20';
    for (let index = 0; index < 5; index += 1) {
      const response = await hub.request('GET', '/v1/admin/tenants', { headers: from(attacker, { Authorization: `Bearer ${'x'.repeat(40)}` }) });
      expect(response.status).toBe(401);
    }
    const throttled = await hub.request('GET', '/v1/admin/tenants', { admin: true, headers: from(attacker) });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toMatch(/^[1-3]$/);
    expect((await hub.request('GET', '/v1/admin/tenants', { admin: true, headers: from('203.0.113.21') })).status).toBe(200);
  });

  it('/metrics: only the platform admin token or a client in API_OPERATOR_NETWORKS', async () => {
    const outsider = await hub.request('GET', '/metrics', { headers: from('203.0.113.30') });
    expect({ status: outsider.status, code: outsider.body?.error?.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(outsider.text).not.toContain('hub_http_request_duration_seconds');
    const wrongToken = await hub.request('GET', '/metrics', { headers: from('203.0.113.30', { Authorization: `Bearer ${'y'.repeat(40)}` }) });
    expect(wrongToken.status).toBe(401);
    // A tenant key is no operator credential.
    const tenantKey = await hub.request('GET', '/metrics', { headers: from('203.0.113.30', { Authorization: `Bearer ${tenant.key}` }) });
    expect(tenantKey.status).toBe(401);

    const admin = await hub.request('GET', '/metrics', { admin: true, headers: from('203.0.113.31') });
    expect(admin.status).toBe(200);
    expect(admin.text).toContain('hub_http_request_duration_seconds');
    const scraper = await hub.request('GET', '/metrics', { headers: from('198.51.100.7') });
    expect(scraper.status).toBe(200);
    expect(scraper.text).toContain('hub_http_request_duration_seconds');
  });

  it('/readyz: a bare ready or unavailable for anyone (load balancers); which check fails only for operators', async () => {
    const balancer = await hub.request('GET', '/readyz', { headers: from('203.0.113.40') });
    expect(balancer.status).toBe(200);
    expect(balancer.body).toEqual({ status: 'ready' });

    const admin = await hub.request('GET', '/readyz', { admin: true, headers: from('203.0.113.41') });
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ status: 'ready', checks: { postgres: { ok: true }, temporal: { ok: true } } });
    const scraper = await hub.request('GET', '/readyz', { headers: from('198.51.100.8') });
    expect(scraper.body).toMatchObject({ status: 'ready', checks: { postgres: { ok: true }, temporal: { ok: true } } });

    // An Authorization header that is not the admin token is refused rather than quietly ignored.
    const wrongToken = await hub.request('GET', '/readyz', { headers: from('203.0.113.42', { Authorization: `Bearer ${'z'.repeat(40)}` }) });
    expect({ status: wrongToken.status, code: wrongToken.body?.error?.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
