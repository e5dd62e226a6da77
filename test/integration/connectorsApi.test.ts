import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { CONNECTOR_FAILURE_TYPES } from '../../connectors/errors';
import { connectorRegistry } from '../../connectors/registry';
import { generateApiKey } from '../../platform/apiKeys';
import { startScanPeer } from '../peers/scan/scanPeer';
import { failureOf } from '../support/connectors';
import { registerScanConnector } from '../support/connectorFactories';
import { useHub, useStarted } from '../support/harness';
import { createKey } from '../support/tenantKeys';
import { withConnector } from '../../activities/connectors/connectorRuntime';
import { createLogger } from '../../platform/logger';

/** The connectors API (API.md "Connectors and syncs"), the SSRF guard at registration and use, and the connectorTest workflow. */
describe('connectors API', () => {
  const peer = useStarted(() => startScanPeer({ port: 0, apiKey: 'k-123' }));
  const {
    hub,
    tenants: [tenant, intruder],
    owner,
  } = useHub({ tenants: [{}, {}] });
  const { hub: strictHub } = useHub({ env: { HUB_ALLOW_PRIVATE_NETWORK: 'false' } });

  it('GET /v1/connector-types lists every registered type with its streams and JSON Schemas', async () => {
    const response = await hub.request('GET', '/v1/connector-types', { key: tenant.key });
    expect(response.status).toBe(200);
    const types = response.body.data.map((type: { type: string }) => type.type);
    expect(types).toEqual(Object.keys(connectorRegistry).sort());
    expect(types).toEqual(expect.arrayContaining(['salesforce', 'stripe', 'scan']));
    const byType = Object.fromEntries(response.body.data.map((type: { type: string }) => [type.type, type]));
    expect(byType.salesforce.configSchema).toMatchObject({
      type: 'object',
      required: ['instanceUrl'],
      properties: { instanceUrl: { type: 'string', format: 'uri' } },
      additionalProperties: false,
    });
    expect(byType.salesforce.credentialsSchema.anyOf).toHaveLength(3);
    expect(byType.salesforce.streams.map((stream: { name: string }) => stream.name)).toEqual(['Account', 'Contact', 'Opportunity']);
    expect(byType.stripe.credentialsSchema).toMatchObject({ required: ['secretKey'] });
    expect(byType.stripe.streams.map((stream: { name: string }) => stream.name)).toEqual(['customers', 'invoices', 'charges']);
    expect(byType.scan).toMatchObject({ urlFields: ['endpoint'], configSchema: { required: ['endpoint'] } });
    for (const type of response.body.data) expect(type.configSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it.each([
    [{ type: 'salesforce', config: {}, credentials: { accessToken: 'x' } }, 'body.config.instanceUrl'],
    [{ type: 'salesforce', config: { instanceUrl: 'not a url' }, credentials: { accessToken: 'x' } }, 'body.config.instanceUrl'],
    [
      { type: 'salesforce', config: { instanceUrl: 'https://acme.my.salesforce.com', apiVersion: 'v62' }, credentials: { accessToken: 'x' } },
      'body.config.apiVersion',
    ],
    [{ type: 'scan', config: { endpoint: 'https://scan.example.com', batchSize: 9999 }, credentials: {} }, 'body.config.batchSize'],
    [{ type: 'scan', config: { endpoint: 'https://scan.example.com', color: 'blue' }, credentials: {} }, 'body.config'],
    [{ type: 'stripe', config: {}, credentials: { secretKey: 'pk_test_public' } }, 'body.credentials.secretKey'],
    [{ type: 'nope', config: {}, credentials: {} }, 'body.type'],
  ])('registering %j answers 400 naming %s', async (body, field) => {
    const response = await hub.request('POST', '/v1/connectors', { key: tenant.key, body: { name: `bad-${randomUUID()}`, ...body } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(field);
    expect(response.text).not.toContain('pk_test_public');
  });

  it.each([
    'https://127.0.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::ffff:127.0.0.1]/',
    'https://2130706433/',
    'https://10.0.0.7/',
    'https://localhost:8443/',
    'http://acme.my.salesforce.com/',
  ])('with private networking off, registering instanceUrl %s answers 400 URL_NOT_ALLOWED', async (instanceUrl) => {
    const strictTenant = await strictHub.createTenant();
    const response = await strictHub.request('POST', '/v1/connectors', {
      key: strictTenant.key,
      body: { type: 'salesforce', name: 'sf', config: { instanceUrl }, credentials: { accessToken: 'x' } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'URL_NOT_ALLOWED', details: [{ path: 'body.config.instanceUrl' }] });
    expect(await owner('connectors').where({ tenant_id: strictTenant.id })).toEqual([]);
  });

  it('with private networking off, a connector whose URL is private is refused at use too (ConfigError, not retried)', async () => {
    const id = await registerScanConnector(hub, tenant, peer, { apiKey: 'k-123' });
    const logger = createLogger({ name: 'test', level: 'silent' });
    const failure = await failureOf(
      withConnector({ config: strictHub.config, db: hub.db, logger, vault: hub.vault }, { tenantId: tenant.id, connectorId: id }, ({ instance }) =>
        instance.testConnection(),
      ),
    );
    expect([failure.type, failure.nonRetryable]).toEqual([CONNECTOR_FAILURE_TYPES.config, true]);
    expect(failure.message).toMatch(/destination refused/);
    expect(peer.faults.count(/health/)).toBe(0);
  });

  it('creates, lists, reads, updates and deletes connectors without ever returning credentials', async () => {
    const created = await hub.request('POST', '/v1/connectors', {
      key: tenant.key,
      body: { type: 'scan', name: 'Scans', config: { endpoint: peer.url }, credentials: { apiKey: 'k-123' } },
    });
    expect(created.status).toBe(201);
    const { connector } = created.body;
    expect(connector).toMatchObject({
      type: 'scan',
      name: 'Scans',
      status: 'active',
      config: { endpoint: peer.url, batchSize: 100 },
      streams: ['scans'],
      lastTest: null,
    });
    expect(created.text).not.toContain('k-123');

    const duplicate = await hub.request('POST', '/v1/connectors', {
      key: tenant.key,
      body: { type: 'scan', name: 'scans', config: { endpoint: peer.url }, credentials: {} },
    });
    expect([duplicate.status, duplicate.body.error.code]).toEqual([409, 'CONNECTOR_NAME_TAKEN']);

    const list = await hub.request('GET', '/v1/connectors', { key: tenant.key });
    expect(list.body.data.map((item: { id: string }) => item.id)).toContain(connector.id);
    expect(list.body.pagination).toMatchObject({ page: 1, limit: 25 });

    const patched = await hub.request('PATCH', `/v1/connectors/${connector.id}`, {
      key: tenant.key,
      body: { name: 'Scan provider', config: { endpoint: peer.url, batchSize: 250 } },
    });
    expect(patched.body.connector).toMatchObject({ name: 'Scan provider', config: { batchSize: 250 } });
    const badPatch = await hub.request('PATCH', `/v1/connectors/${connector.id}`, { key: tenant.key, body: { config: { endpoint: peer.url, batchSize: 0 } } });
    expect([badPatch.status, badPatch.body.error.details[0].path]).toEqual([400, 'body.config.batchSize']);
    const emptyPatch = await hub.request('PATCH', `/v1/connectors/${connector.id}`, { key: tenant.key, body: {} });
    expect(emptyPatch.status).toBe(400);

    const actions = await owner('audit_log').where({ tenant_id: tenant.id, target_id: connector.id }).orderBy('seq').pluck('action');
    expect(actions).toEqual(['connector.created', 'connector.updated']);

    expect((await hub.request('DELETE', `/v1/connectors/${connector.id}`, { key: tenant.key })).status).toBe(204);
    expect((await hub.request('GET', `/v1/connectors/${connector.id}`, { key: tenant.key })).status).toBe(404);
    expect((await hub.request('DELETE', `/v1/connectors/${connector.id}`, { key: tenant.key })).status).toBe(404);
  });

  it('a member cannot point a connector at another host while keeping its stored credentials', async () => {
    // A hostile host that records whatever reaches it.
    const received: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
    const hostile = http.createServer((req, res) => {
      received.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(401).end();
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    const hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    try {
      const id = await registerScanConnector(hub, tenant, peer, { apiKey: 'k-123' });
      const member = await createKey(hub, tenant, 'member');
      const redirect = await hub.request('PATCH', `/v1/connectors/${id}`, { key: member.key, body: { config: { endpoint: hostileUrl } } });
      expect(redirect.status).toBe(400);
      expect(redirect.body.error).toMatchObject({ code: 'CREDENTIALS_REQUIRED', details: [{ path: 'body.credentials' }] });
      // The connector still talks to its own host, and nothing reached the hostile one.
      const tested = await hub.request('POST', `/v1/connectors/${id}/test`, { key: member.key });
      expect(tested.body.ok).toBe(true);
      expect(received).toEqual([]);
      // With credentials of their own in the same request, the move is allowed (they are the ones sent).
      const moved = await hub.request('PATCH', `/v1/connectors/${id}`, {
        key: member.key,
        body: { config: { endpoint: hostileUrl }, credentials: { apiKey: 'members-own' } },
      });
      expect(moved.status).toBe(200);
      await hub.request('POST', `/v1/connectors/${id}/test`, { key: member.key });
      expect(received.length).toBeGreaterThan(0);
      expect(JSON.stringify(received)).not.toContain('k-123');
      // Other config changes need no credentials.
      expect((await hub.request('PATCH', `/v1/connectors/${id}`, { key: member.key, body: { config: { endpoint: hostileUrl, batchSize: 50 } } })).status).toBe(
        200,
      );
    } finally {
      await new Promise((resolve) => hostile.close(resolve));
    }
  });

  it("another tenant's connector answers 404 on every route, never 403", async () => {
    const id = await registerScanConnector(hub, tenant, peer, { apiKey: 'k-123' });
    for (const [method, path, body] of [
      ['GET', `/v1/connectors/${id}`, undefined],
      ['PATCH', `/v1/connectors/${id}`, { name: 'mine now' }],
      ['POST', `/v1/connectors/${id}/test`, undefined],
      ['DELETE', `/v1/connectors/${id}`, undefined],
    ] as const) {
      const response = await hub.request(method, path, { key: intruder.key, body });
      expect([method, response.status]).toEqual([method, 404]);
    }
    expect((await hub.request('GET', '/v1/connectors', { key: intruder.key })).body.data).toEqual([]);
    expect((await owner('connectors').where({ id }).first()).name).not.toBe('mine now');
  });

  it('viewers read connectors but may not create them', async () => {
    const viewer = generateApiKey();
    await owner('api_keys').insert({
      id: randomUUID(),
      tenant_id: tenant.id,
      name: 'viewer',
      key_prefix: viewer.lookupPrefix,
      key_hash: viewer.hash,
      role: 'viewer',
    });
    expect((await hub.request('GET', '/v1/connectors', { key: viewer.key })).status).toBe(200);
    expect((await hub.request('GET', '/v1/connector-types', { key: viewer.key })).status).toBe(200);
    const refused = await hub.request('POST', '/v1/connectors', {
      key: viewer.key,
      body: { type: 'scan', name: 'v', config: { endpoint: peer.url }, credentials: {} },
    });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('POST /v1/connectors/:id/test runs the connectorTest workflow (searchable in Temporal) and records the outcome', async () => {
    const good = await registerScanConnector(hub, tenant, peer, { apiKey: 'k-123' });
    const ok = await hub.request('POST', `/v1/connectors/${good}/test`, { key: tenant.key });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      ok: true,
      details: { provider: 'hub-scan-peer' },
      workflowId: `connector-test/${tenant.slug}/${good}/${ok.body.workflowId.split('/').pop()}`,
      temporalUiUrl: expect.stringContaining('/workflows/'),
    });
    const description = await hub.temporal.workflow.getHandle(ok.body.workflowId).describe();
    expect(description.searchAttributes).toMatchObject({
      TenantSlug: [tenant.slug],
      JobKind: ['connector_test'],
      ConnectorType: ['scan'],
      ConnectorId: [good],
    });
    const after = await hub.request('GET', `/v1/connectors/${good}`, { key: tenant.key });
    expect(after.body.connector.lastTest).toMatchObject({ ok: true, error: null });

    const bad = await registerScanConnector(hub, tenant, peer, { apiKey: 'wrong' });
    const failed = await hub.request('POST', `/v1/connectors/${bad}/test`, { key: tenant.key });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED', message: expect.stringMatching(/401/) } });
    const badRow = await hub.request('GET', `/v1/connectors/${bad}`, { key: tenant.key });
    // A test reports; it does not pause the connector.
    expect(badRow.body.connector).toMatchObject({ status: 'active', lastTest: { ok: false, error: { code: 'AUTH_FAILED' } } });
    const audit = await owner('audit_log').where({ tenant_id: tenant.id, target_id: bad, action: 'connector.tested' });
    expect(audit).toHaveLength(1);
  });

  it('documents the connector routes in the OpenAPI document', async () => {
    const document = (await hub.request('GET', '/openapi.json')).body;
    for (const path of ['/v1/connector-types', '/v1/connectors', '/v1/connectors/{id}', '/v1/connectors/{id}/test']) expect(document.paths[path]).toBeDefined();
    // One body per connector type, its config and credentials by that type's schemas.
    const variants = document.paths['/v1/connectors'].post.requestBody.content['application/json'].schema.oneOf as Array<{
      properties: { type: { const: string } };
      required: string[];
    }>;
    expect(variants.map((variant) => variant.properties.type.const).sort()).toEqual([
      'fhir',
      'odata',
      'oracle-fusion-erp',
      'quickbooks',
      'rest-api-key',
      'sage-accounting',
      'salesforce',
      'scan',
      'stripe',
    ]);
    for (const variant of variants) expect(variant.required).toEqual(expect.arrayContaining(['type', 'name', 'credentials']));
  });
});
