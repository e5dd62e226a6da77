import http from 'node:http';
import { useHub } from '../support/harness';

/** A raw request (fetch refuses methods such as TRACE): status, headers and the parsed JSON body. */
function rawRequest(
  url: string,
  method: string,
  key: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: { error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers: { 'X-API-Key': key } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      const json = /json/.test(String(response.headers['content-type'] ?? ''));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: json && text ? JSON.parse(text) : {} }));
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * Input the fuzzer found answered 500: NUL characters (Postgres text refuses them), a month
 * Postgres cannot represent, and methods a path does not declare. Each gets a 4xx in the API's
 * error shape, and nothing is written.
 */
describe('hostile input gets a clear 4xx', () => {
  const { hub, tenant } = useHub({ tenants: [{}] });

  it.each([
    ['POST', '/v1/users', { email: 'nul@example.test', name: 'A\u0000B', role: 'member' }, 'body.name'],
    ['POST', '/v1/api-keys', { name: 'key\u0000', role: 'member' }, 'body.name'],
    ['GET', `/v1/records?stream=${encodeURIComponent('Acc\u0000ount')}`, undefined, 'query.stream'],
    ['GET', `/v1/jobs?kind=${encodeURIComponent('export\u0000')}`, undefined, 'query.kind'],
  ])('%s %s with a NUL character answers 400 naming the field', async (method, path, body, field) => {
    const response = await hub.request(method, path, { key: tenant.key, body });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: field, message: expect.stringContaining('NUL') }] });
  });

  it('a NUL character in an object key is refused too, and nothing was written', async () => {
    const users = await hub.request('GET', '/v1/users?limit=100', { key: tenant.key });
    const response = await hub.request('POST', '/v1/users', {
      key: tenant.key,
      body: { email: 'nulkey@example.test', name: 'N', role: 'member', ['x\u0000']: 1 },
    });
    expect(response.status).toBe(400);
    const after = await hub.request('GET', '/v1/users?limit=100', { key: tenant.key });
    expect(after.body.data).toHaveLength(users.body.data.length);
  });

  it('a month Postgres cannot represent answers 400, as the OpenAPI pattern says', async () => {
    const response = await hub.request('GET', '/v1/analytics/dashboard?month=0000-01', { key: tenant.key });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'query.month' }] });
    const document = (await hub.request('GET', '/openapi.json')).body;
    const month = document.paths['/v1/analytics/dashboard'].get.parameters.find((parameter: { name: string }) => parameter.name === 'month');
    expect(new RegExp(month.schema.pattern).test('0000-01')).toBe(false);
    expect(new RegExp(month.schema.pattern).test('2026-01')).toBe(true);
  });

  it.each([
    ['TRACE', '/v1/webhooks', 'GET, HEAD, POST'],
    ['PUT', '/v1/users', 'GET, HEAD, POST'],
    ['DELETE', '/v1/tenant', 'GET, HEAD, PATCH'],
    ['POST', '/v1/users/00000000-0000-4000-8000-000000000000', 'DELETE, GET, HEAD, PATCH'],
  ])('%s %s answers 405 with an Allow header and the error shape', async (method, path, allow) => {
    const response = await rawRequest(`${hub.url}${path}`, method, tenant.key);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.body.error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', message: expect.stringContaining(method) });
  });

  it.each([
    ['GET', '/healthz'],
    ['GET', '/v1/tenant'],
    ['PUT', '/v1/users'],
    ['GET', '/v1/nothing-here'],
    ['GET', '/docs/'],
  ])('%s %s carries the security headers', async (method, path) => {
    const { headers } = await rawRequest(`${hub.url}${path}`, method, tenant.key);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['referrer-policy']).toBe('no-referrer');
  });

  it('a path the API does not serve still answers 404', async () => {
    const response = await rawRequest(`${hub.url}/v1/nothing-here`, 'PUT', tenant.key);
    expect(response.status).toBe(404);
  });
});
