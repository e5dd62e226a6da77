import { stringify } from 'yaml';
import { shippedDefinitionDocuments } from '../../connectors/definitions';
import { startSagePeer, type SagePeer } from '../peers/sage/sagePeer';
import { registerConnector } from '../support/connectors';
import { useHub, useStarted } from '../support/harness';
import { finishedJob, startSync } from '../support/syncs';

/**
 * Tenant-private connector definitions through the API: published schema, versions (a connector
 * stays on its version until moved), check, delete refused while used, tenant isolation, and
 * hostile documents refused with a pointer. The definitions run against the Sage peer.
 */
describe('connector definitions API', () => {
  const { hub, tenants } = useHub({ env: { SYNC_PAGE_SIZE: '500' }, tenants: [{}, {}] });
  const peer: SagePeer = useStarted(() => startSagePeer({ port: 0, records: 300, seed: 21 }), 'the Sage peer');
  const tenant = () => tenants[0];

  /** The shipped Sage definition under a tenant's own name, optionally with transformations on contacts. */
  function tenantSage(transformations: unknown[] = []) {
    const document = structuredClone(shippedDefinitionDocuments['sage-accounting']!) as unknown as Record<string, unknown> & {
      streams: Array<Record<string, unknown>>;
    };
    document.name = 'my-sage';
    document.displayName = 'My Sage';
    document.streams[0]!.transformations = transformations;
    return document;
  }
  const post = (document: unknown, options: { yaml?: boolean; key?: string } = {}) =>
    hub.request('POST', '/v1/connector-definitions', {
      key: options.key ?? tenant().key,
      rawBody: options.yaml ? stringify(document) : JSON.stringify(document),
      headers: { 'Content-Type': options.yaml ? 'application/yaml' : 'application/json' },
    });
  const config = () => ({ businessId: peer.businessId, baseUrl: peer.apiUrl, tokenUrl: peer.tokenUrl });

  it('publishes the definition JSON Schema', async () => {
    const schema = await hub.request('GET', '/v1/connector-definitions/schema', { key: tenant().key });
    expect(schema.status).toBe(200);
    expect(schema.body).toMatchObject({ type: 'object', properties: { streams: { type: 'array' }, auth: expect.any(Object) }, additionalProperties: false });
  });

  it('versions a definition: connectors stay on their version until moved; delete is refused while one is used', async () => {
    const v1 = await post(tenantSage(), { yaml: true });
    expect(v1.status).toBe(201);
    expect(v1.body.definition).toMatchObject({ name: 'my-sage', version: 1, type: 'my-sage@1', streams: ['contacts', 'sales_invoices'] });
    const id = v1.body.definition.id as string;

    const check = await hub.request('POST', `/v1/connector-definitions/${id}/check`, {
      key: tenant().key,
      body: { config: config(), credentials: peer.issueCredentials(), streams: ['contacts'] },
    });
    expect(check.status).toBe(200);
    expect(check.body.streams.contacts).toMatchObject({ ok: true, recordsOnPage: 50, done: false, nextCursor: expect.any(String) });
    expect(check.body.streams.contacts.sampleRecords).toHaveLength(10);
    expect(check.body.streams.contacts.schema).toMatchObject({ type: 'object', properties: { id: { type: 'string' }, updated_at: { format: 'date-time' } } });

    const connectorId = await registerConnector(hub, tenant(), { type: 'my-sage@1', config: config(), credentials: peer.issueCredentials() });
    const first = await finishedJob(hub, tenant(), (await startSync(hub, tenant(), connectorId, { streams: ['contacts'] })).id);
    expect(first.status).toBe('completed');
    expect(first.result.totals).toMatchObject({ inserted: 300 });

    const v2 = await post(tenantSage([{ type: 'add', path: '/source', value: 'sage' }]));
    expect(v2.body.definition).toMatchObject({ id, version: 2, latestVersion: 2, type: 'my-sage@2' });
    // Still version 1: a full refresh changes nothing.
    const same = await finishedJob(hub, tenant(), (await startSync(hub, tenant(), connectorId, { streams: ['contacts'], mode: 'full_refresh' })).id);
    expect(same.result.totals).toMatchObject({ updated: 0, unchanged: 300 });

    const moved = await hub.request('PATCH', `/v1/connectors/${connectorId}`, { key: tenant().key, body: { type: 'my-sage@2' } });
    expect(moved.status).toBe(200);
    expect(moved.body.connector).toMatchObject({ type: 'my-sage@2', streams: ['contacts', 'sales_invoices'] });
    const after = await finishedJob(hub, tenant(), (await startSync(hub, tenant(), connectorId, { streams: ['contacts'], mode: 'full_refresh' })).id);
    expect(after.result.totals).toMatchObject({ updated: 300 });
    const wrongMove = await hub.request('PATCH', `/v1/connectors/${connectorId}`, { key: tenant().key, body: { type: 'sage-accounting' } });
    expect(wrongMove.body.error.code).toBe('TYPE_CHANGE_NOT_ALLOWED');

    const listed = await hub.request('GET', '/v1/connector-definitions', { key: tenant().key });
    expect(listed.body.data.map((definition: { type: string }) => definition.type)).toEqual(['my-sage@2']);
    const older = await hub.request('GET', `/v1/connector-definitions/${id}?version=1`, { key: tenant().key });
    expect(older.body.definition).toMatchObject({ version: 1, versions: [{ version: 1 }, { version: 2 }] });
    expect(older.body.definition.document.streams[0].transformations).toEqual([]);

    // Another tenant sees none of it.
    expect((await hub.request('GET', `/v1/connector-definitions/${id}`, { key: tenants[1].key })).status).toBe(404);
    const foreign = await hub.request('POST', '/v1/connectors', {
      key: tenants[1].key,
      body: { type: 'my-sage@2', name: 'borrowed', config: config(), credentials: peer.issueCredentials() },
    });
    expect(foreign.status).toBe(400);

    const refused = await hub.request('DELETE', `/v1/connector-definitions/${id}`, { key: tenant().key });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'DEFINITION_IN_USE', details: [{ path: `connectors/${connectorId}` }] });
    expect((await hub.request('DELETE', `/v1/connectors/${connectorId}`, { key: tenant().key })).status).toBe(204);
    expect((await hub.request('DELETE', `/v1/connector-definitions/${id}`, { key: tenant().key })).status).toBe(204);
    expect((await hub.request('GET', `/v1/connector-definitions/${id}`, { key: tenant().key })).status).toBe(404);
  });

  it('refuses a name of the hub’s own connector types', async () => {
    const taken = await post({ ...tenantSage(), name: 'salesforce' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('DEFINITION_NAME_RESERVED');
  });

  it('refuses hostile documents with 400 and the JSON pointer of the fault', async () => {
    const polluted = await hub.request('POST', '/v1/connector-definitions', {
      key: tenant().key,
      rawBody: '{"name":"evil","displayName":"x","auth":{"type":"none"},"streams":[],"headers":{"__proto__":{"polluted":"yes"}}}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(polluted.status).toBe(400);
    expect(polluted.body.error).toMatchObject({ code: 'DEFINITION_HOSTILE', details: [{ path: '/headers/__proto__' }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const constructorKey = await post({ ...tenantSage(), config: { type: 'object', properties: { constructor: { type: 'string' } } } });
    expect(constructorKey.body.error).toMatchObject({ code: 'DEFINITION_HOSTILE', details: [{ path: '/config/properties/constructor' }] });

    const regex = tenantSage() as unknown as Record<string, unknown> & { config: { properties: Record<string, unknown> } };
    regex.config.properties.businessId = { type: 'string', pattern: '^(\\w+\\s?)+$' };
    const catastrophic = await post(regex);
    expect(catastrophic.status).toBe(400);
    expect(catastrophic.body.error.details[0].path).toBe('/config/properties/businessId/pattern');

    const recursive = tenantSage() as Record<string, unknown>;
    recursive.credentials = { $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/a' } } };
    const loop = await post(recursive);
    expect(loop.status).toBe(400);
    expect(loop.body.error.details[0].path).toMatch(/^\/credentials\/\$defs\/a\/\$ref$/);

    const huge = await hub.request('POST', '/v1/connector-definitions', {
      key: tenant().key,
      rawBody: JSON.stringify({ ...tenantSage(), description: 'x'.repeat(10 * 1024 * 1024) }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatchObject({ code: 'DEFINITION_TOO_LARGE', details: [{ path: '' }] });

    const invalid = await post({ ...tenantSage(), streams: [{ name: 'x', path: '/x', recordSelector: 'items', primaryKey: '/id' }] });
    expect(invalid.body.error).toMatchObject({ code: 'DEFINITION_INVALID', details: [{ path: '/streams/0/recordSelector' }] });
    expect((await hub.request('GET', '/v1/connector-definitions', { key: tenant().key })).body.data).toHaveLength(0);
  });
});
