import { startTestHub } from '../support/hub';
import { useHub } from '../support/harness';

describe('API surface: health, readiness, metrics, docs and the error shape', () => {
  const { hub } = useHub({ env: { API_BODY_LIMIT: '2kb' } });

  it('GET /healthz answers 200', async () => {
    const response = await hub.request('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 with both checks (for the platform admin) when Postgres and Temporal answer', async () => {
    const response = await hub.request('GET', '/readyz', { admin: true });
    expect(response.status).toBe(200);
    expect(response.body.checks.postgres.ok).toBe(true);
    expect(response.body.checks.temporal.ok).toBe(true);
  });

  it('GET /readyz answers 503 naming the dependency that does not answer', async () => {
    const broken = await startTestHub({ DATABASE_APP_URL: 'postgres://hub_app:wrong-password-0000@127.0.0.1:1/hub' }).catch((error: Error) => error);
    // A hub whose database is unreachable still boots its HTTP side; readiness must say so.
    expect(broken).not.toBeInstanceOf(Error);
    if (broken instanceof Error) return;
    try {
      const response = await broken.request('GET', '/readyz', { admin: true });
      expect(response.status).toBe(503);
      expect(response.body.status).toBe('unavailable');
      expect(response.body.checks.postgres.ok).toBe(false);
      expect(response.body.checks.temporal.ok).toBe(true);
    } finally {
      await broken.stop();
    }
  });

  it('every request gets an X-Request-Id, echoed when the caller sends a sane one', async () => {
    const generated = await hub.request('GET', '/healthz');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await hub.request('GET', '/healthz', { headers: { 'X-Request-Id': 'trace-abc_123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc_123');
  });

  it('GET /metrics serves Prometheus text with request histograms by route template', async () => {
    const tenant = await hub.createTenant();
    await hub.request('GET', '/v1/tenant', { key: tenant.key });
    const response = await hub.request('GET', '/metrics', { admin: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(response.text).toContain('hub_http_request_duration_seconds_count{method="GET",route="/v1/tenant",status="200"}');
  });

  it('GET /openapi.json documents every route with its schemas', async () => {
    const response = await hub.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const createTenant = response.body.paths['/v1/admin/tenants'].post;
    expect(createTenant.requestBody.content['application/json'].schema.required).toEqual(['name', 'slug', 'plan', 'adminEmail']);
    expect(Object.keys(createTenant.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409']));
    expect(response.body.paths['/v1/tenant'].get.security).toEqual([{ ApiKey: [] }, { BearerApiKey: [] }, { SessionCookie: [] }]);
  });

  it('GET /docs serves the browsable Swagger UI page over /openapi.json', async () => {
    const redirect = await fetch(`${hub.url}/docs`, { redirect: 'manual' });
    expect([200, 301]).toContain(redirect.status);
    const page = await hub.request('GET', '/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
    const init = await hub.request('GET', '/docs/swagger-ui-init.js');
    expect(init.text).toContain('/openapi.json');
  });

  it('unknown routes answer 404 in the error shape', async () => {
    const response = await hub.request('GET', '/v1/nope');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'No route for GET /v1/nope' });
    expect(response.body.error.requestId).toBeDefined();
  });

  it('bodies over the limit answer 413 in the error shape and create nothing', async () => {
    const response = await hub.request('POST', '/v1/admin/tenants', {
      admin: true,
      body: { name: 'x'.repeat(5_000), slug: 'too-big', plan: 'starter', adminEmail: 'a@b.test' },
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const list = await hub.request('GET', '/v1/admin/tenants?limit=100', { admin: true });
    expect(list.body.data.map((tenant: { slug: string }) => tenant.slug)).not.toContain('too-big');
  });

  it('malformed JSON answers 400 INVALID_JSON, never a stack trace', async () => {
    const response = await hub.request('POST', '/v1/admin/tenants', {
      admin: true,
      rawBody: '{"name": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_JSON');
    expect(response.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('list pages are capped at 100 items whatever limit asks for', async () => {
    const response = await hub.request('GET', '/v1/admin/tenants?limit=100000', { admin: true });
    expect(response.status).toBe(200);
    expect(response.body.pagination.limit).toBe(100);
  });
});
