import { accessTable } from '../../api/auth/accessTable';
import { ROLES, roleAtLeast, type Role } from '../../api/auth/roles';
import { routeKey } from '../../api/http/route';
import { routes } from '../../api/routes';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { samlify } from '../../platform/identity/samlify';
import { emitEvent } from '../../platform/events/emitEvent';
import { startWebhookReceiver } from '../support/webhookReceiver';
import { startScanPeer } from '../peers/scan/scanPeer';
import { ownerDb, type CreatedTenant, type TestHub } from '../support/hub';
import { useHub, useStarted } from '../support/harness';
import { startSmtpCatcher } from '../support/smtpCatcher';
import { eventually } from '../support/eventually';
import { createKey, createUser, keysByRole, type TestKey } from '../support/tenantKeys';
import { finishedJob, startJobVia, uploadFile } from '../support/jobs';
import { errorResponseSchema } from '../../api/errors';
import { WORKFLOW_TYPES } from '../../workflows/contracts';

/** What a call needs: a path with real ids of the caller's tenant, and a valid body. */
interface Call {
  path: string;
  body?: unknown;
  /** A non-JSON body (uploads). */
  rawBody?: string;
  headers?: Record<string, string>;
}

interface Fixtures {
  hub: TestHub;
  tenant: CreatedTenant;
  admin: string;
  /** The key that makes the call (a member revokes only keys it created). */
  caller: string;
  scanPeerUrl: string;
  webhookUrl: string;
}

/**
 * One valid request per tenant route, built against the given tenant (fresh resources where the
 * call consumes them). A route added to the access table without a recipe here fails the matrix
 * test: add one.
 */
const recipes: Record<string, (f: Fixtures) => Promise<Call>> = {
  'GET /v1/tenant': async () => ({ path: '/v1/tenant' }),
  'PATCH /v1/tenant': async () => ({ path: '/v1/tenant', body: { settings: { notifications: { usageAlertPercent: 75 } } } }),
  'GET /v1/tenant/theme.css': async () => ({ path: '/v1/tenant/theme.css' }),
  'GET /v1/users': async () => ({ path: '/v1/users' }),
  'GET /v1/users/:id': async (f) => ({ path: `/v1/users/${await createUser(f.hub, f.admin, { role: 'viewer' })}` }),
  'POST /v1/users': async () => ({
    path: '/v1/users',
    body: { email: `new-${Math.random().toString(36).slice(2)}@example.test`, name: 'New', role: 'viewer' },
  }),
  'PATCH /v1/users/:id': async (f) => ({ path: `/v1/users/${await createUser(f.hub, f.admin, { role: 'viewer' })}`, body: { status: 'active' } }),
  'DELETE /v1/users/:id': async (f) => ({ path: `/v1/users/${await createUser(f.hub, f.admin, { role: 'viewer' })}` }),
  'POST /v1/users/:id/invitation': async (f) => ({ path: `/v1/users/${await createUser(f.hub, f.admin, { role: 'viewer' })}/invitation` }),
  'GET /v1/identity/settings': async () => ({ path: '/v1/identity/settings' }),
  'PUT /v1/identity/settings': async () => ({
    path: '/v1/identity/settings',
    body: { ssoRequired: false, jitProvisioning: false, defaultRole: 'member', breakGlassUserId: null, groupRoles: [{ group: 'matrix', role: 'viewer' }] },
  }),
  'GET /v1/identity/domains': async () => ({ path: '/v1/identity/domains' }),
  'POST /v1/identity/domains': async () => ({ path: '/v1/identity/domains', body: { domain: `m-${Math.random().toString(36).slice(2, 10)}.example` } }),
  'POST /v1/identity/domains/:id/verify': async (f) => ({ path: `/v1/identity/domains/${await createIdentityDomain(f)}/verify` }),
  'DELETE /v1/identity/domains/:id': async (f) => ({ path: `/v1/identity/domains/${await createIdentityDomain(f)}` }),
  'GET /v1/identity/connections': async () => ({ path: '/v1/identity/connections' }),
  'POST /v1/identity/connections': async () => ({
    path: '/v1/identity/connections',
    body: { type: 'saml', name: 'Matrix SAML', idpMetadataXml: matrixIdpMetadata() },
  }),
  'GET /v1/identity/connections/:id': async (f) => ({ path: `/v1/identity/connections/${await createSamlConnection(f)}` }),
  'PATCH /v1/identity/connections/:id': async (f) => ({ path: `/v1/identity/connections/${await createSamlConnection(f)}`, body: { name: 'Renamed' } }),
  'DELETE /v1/identity/connections/:id': async (f) => ({ path: `/v1/identity/connections/${await createSamlConnection(f)}` }),
  'POST /v1/identity/connections/:id/tests': async (f) => ({ path: `/v1/identity/connections/${await createSamlConnection(f)}/tests` }),
  'GET /v1/identity/connections/:id/tests/:testId': async (f) => {
    const id = await createSamlConnection(f);
    const test = await f.hub.request('POST', `/v1/identity/connections/${id}/tests`, { key: f.admin });
    return { path: `/v1/identity/connections/${id}/tests/${test.body.test.id}` };
  },
  'GET /v1/api-keys': async () => ({ path: '/v1/api-keys' }),
  'GET /v1/api-keys/:id': async (f) => ({ path: `/v1/api-keys/${(await createKey(f.hub, f.tenant, 'viewer')).id}` }),
  'POST /v1/api-keys': async () => ({ path: '/v1/api-keys', body: { name: 'matrix', role: 'viewer' } }),
  'DELETE /v1/api-keys/:id': async (f) => ({ path: `/v1/api-keys/${await keyCreatedBy(f)}` }),
  'GET /v1/audit-logs': async () => ({ path: '/v1/audit-logs' }),
  'GET /v1/audit-logs/export': async () => ({ path: '/v1/audit-logs/export' }),
  'GET /v1/usage': async () => ({ path: '/v1/usage' }),
  'GET /v1/wallet': async () => ({ path: '/v1/wallet' }),
  'PUT /v1/wallet/settings': async () => ({
    path: '/v1/wallet/settings',
    body: { autoRecharge: { enabled: false, amountCents: 1_000, thresholdCents: 0, maxPerMonth: 0 } },
  }),
  // This hub has no Stripe: the handler's own answer (no payment method) shows the role got through.
  'POST /v1/wallet/top-ups': async () => ({ path: '/v1/wallet/top-ups', body: { amountCents: 1_000 } }),
  'GET /v1/wallet/ledger': async () => ({ path: '/v1/wallet/ledger' }),
  'GET /v1/wallet/ledger/export': async () => ({ path: '/v1/wallet/ledger/export' }),
  'POST /v1/jobs': async () => ({ path: '/v1/jobs', body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } }),
  'GET /v1/jobs': async () => ({ path: '/v1/jobs' }),
  'GET /v1/jobs/:id': async (f) => ({ path: `/v1/jobs/${await parkedJob(f)}` }),
  'POST /v1/jobs/:id/cancel': async (f) => ({ path: `/v1/jobs/${await parkedJob(f)}/cancel` }),
  'GET /v1/jobs/:id/download': async (f) => ({ path: `/v1/jobs/${await finishedExport(f)}/download` }),
  'POST /v1/uploads': async () => ({ path: '/v1/uploads?name=users.csv', rawBody: 'email,name,role\n', headers: { 'Content-Type': 'text/csv' } }),
  'GET /v1/connector-types': async () => ({ path: '/v1/connector-types' }),
  'GET /v1/connectors': async () => ({ path: '/v1/connectors' }),
  'GET /v1/connectors/:id': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}` }),
  'POST /v1/connectors': async (f) => ({ path: '/v1/connectors', body: scanConnectorBody(f) }),
  'PATCH /v1/connectors/:id': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}`, body: { name: `renamed-${randomUUID()}` } }),
  'DELETE /v1/connectors/:id': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}` }),
  'POST /v1/connectors/:id/test': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}/test` }),
  'GET /v1/connector-definitions/schema': async () => ({ path: '/v1/connector-definitions/schema' }),
  'GET /v1/connector-definitions': async () => ({ path: '/v1/connector-definitions' }),
  'GET /v1/connector-definitions/:id': async (f) => ({ path: `/v1/connector-definitions/${await connectorDefinition(f)}` }),
  'POST /v1/connector-definitions': async () => ({
    path: '/v1/connector-definitions',
    rawBody: JSON.stringify(definitionDocument()),
    headers: { 'Content-Type': 'application/json' },
  }),
  'DELETE /v1/connector-definitions/:id': async (f) => ({ path: `/v1/connector-definitions/${await connectorDefinition(f)}` }),
  'POST /v1/connector-definitions/:id/check': async (f) => ({
    path: `/v1/connector-definitions/${await connectorDefinition(f)}/check`,
    body: { config: { baseUrl: f.scanPeerUrl }, credentials: {} },
  }),
  'GET /v1/webhooks': async () => ({ path: '/v1/webhooks' }),
  'POST /v1/webhooks': async (f) => ({ path: '/v1/webhooks', body: { url: f.webhookUrl, events: ['job.completed'] } }),
  'GET /v1/webhooks/:id': async (f) => ({ path: `/v1/webhooks/${await webhookEndpoint(f)}` }),
  'PATCH /v1/webhooks/:id': async (f) => ({ path: `/v1/webhooks/${await webhookEndpoint(f)}`, body: { description: `renamed-${randomUUID()}` } }),
  'DELETE /v1/webhooks/:id': async (f) => ({ path: `/v1/webhooks/${await webhookEndpoint(f)}` }),
  'GET /v1/webhooks/:id/deliveries': async (f) => ({ path: `/v1/webhooks/${await webhookEndpoint(f)}/deliveries` }),
  'POST /v1/webhooks/:id/deliveries/:deliveryId/retry': async (f) => {
    const { webhookId, deliveryId } = await deliveredWebhook(f);
    return { path: `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/retry` };
  },
  'GET /v1/analytics/dashboard': async () => ({ path: '/v1/analytics/dashboard' }),
  'GET /v1/invoices': async () => ({ path: '/v1/invoices' }),
  'GET /v1/invoices/upcoming': async () => ({ path: '/v1/invoices/upcoming' }),
  'GET /v1/invoices/:id': async (f) => ({ path: `/v1/invoices/${await draftInvoice(f)}` }),
  'POST /v1/connectors/:id/syncs': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}/syncs`, body: {} }),
  'GET /v1/connectors/:id/syncs': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}/syncs` }),
  'GET /v1/connectors/:id/schedule': async (f) => ({ path: `/v1/connectors/${await scheduledScanConnector(f)}/schedule` }),
  'PUT /v1/connectors/:id/schedule': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}/schedule`, body: { every: '1h' } }),
  'DELETE /v1/connectors/:id/schedule': async (f) => ({ path: `/v1/connectors/${await scheduledScanConnector(f)}/schedule` }),
  'POST /v1/connectors/:id/pause': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}/pause` }),
  'POST /v1/connectors/:id/resume': async (f) => ({ path: `/v1/connectors/${await scanConnector(f)}/resume` }),
  'GET /v1/records': async () => ({ path: '/v1/records' }),
  'GET /v1/scim-token': async () => ({ path: '/v1/scim-token' }),
  'POST /v1/scim-token': async () => ({ path: '/v1/scim-token' }),
  'DELETE /v1/scim-token': async (f) => {
    await f.hub.request('POST', '/v1/scim-token', { key: f.admin });
    return { path: '/v1/scim-token' };
  },
  'GET /v1/scim-requests': async () => ({ path: '/v1/scim-requests' }),
};

/** A viewer key created by the caller where its role may create keys (else by the admin): every role may revoke what it created. */
async function keyCreatedBy(f: Fixtures): Promise<string> {
  const created = await f.hub.request('POST', '/v1/api-keys', { key: f.caller, body: { name: 'matrix', role: 'viewer' } });
  if (created.status === 201) return created.body.apiKey.id as string;
  return (await createKey(f.hub, f.tenant, 'viewer')).id;
}

/** A webhook endpoint of the caller's tenant (the local receiver answers 200). */
async function webhookEndpoint(f: Fixtures): Promise<string> {
  const created = await f.hub.request('POST', '/v1/webhooks', { key: f.admin, body: { url: f.webhookUrl, events: ['sync.completed'] } });
  if (created.status !== 201) throw new Error(`webhook: ${created.status} ${created.text}`);
  return created.body.webhook.id as string;
}

/** An endpoint with one finished delivery (so re-sending it changes nothing another tenant could see). */
async function deliveredWebhook(f: Fixtures): Promise<{ webhookId: string; deliveryId: string }> {
  const webhookId = await webhookEndpoint(f);
  await f.hub.db.withTenant(f.tenant.id, (trx) => emitEvent(trx, { tenantId: f.tenant.id, type: 'sync.completed', data: { matrix: true } }));
  return eventually(
    async () => {
      const listed = await f.hub.request('GET', `/v1/webhooks/${webhookId}/deliveries`, { key: f.admin });
      const delivery = listed.body.data?.[0];
      return delivery?.status === 'succeeded' ? { webhookId, deliveryId: delivery.id as string } : undefined;
    },
    20_000,
    'the matrix delivery to succeed',
    100,
  );
}

/** An invoice of the caller's tenant (a draft row, as a billing run's first step leaves it), one period per call. */
let invoicePeriods = 0;
async function draftInvoice(f: Fixtures): Promise<string> {
  const owner = ownerDb();
  try {
    const id = randomUUID();
    invoicePeriods += 1;
    const lines = [{ code: 'plan', description: 'Enterprise plan', quantity: 1, unitAmountCents: 199_900, amountCents: 199_900 }];
    await owner('invoices').insert({
      id,
      tenant_id: f.tenant.id,
      period: `${2000 + invoicePeriods}-01`,
      plan: 'enterprise',
      currency: 'usd',
      lines: JSON.stringify(lines),
      usage: JSON.stringify({ apiCalls: 0, scans: 0, syncedRecords: 0, peakSeats: 1 }),
      subtotal_cents: 199_900,
      total_cents: 199_900,
    });
    return id;
  } finally {
    await owner.destroy();
  }
}

/** A connector of the caller's tenant with a sync schedule. */
async function scheduledScanConnector(f: Fixtures): Promise<string> {
  const id = await scanConnector(f);
  const scheduled = await f.hub.request('PUT', `/v1/connectors/${id}/schedule`, { key: f.admin, body: { every: '1h' } });
  if (scheduled.status !== 200) throw new Error(`schedule: ${scheduled.status} ${scheduled.text}`);
  return id;
}

function scanConnectorBody(f: Fixtures) {
  return { type: 'scan', name: `scan-${randomUUID()}`, config: { endpoint: f.scanPeerUrl }, credentials: { apiKey: SCAN_KEY } };
}

/** A small declarative definition, under a fresh name each time. */
function definitionDocument() {
  return {
    name: `matrix-${randomUUID().slice(0, 8)}`,
    displayName: 'Matrix',
    baseUrl: '{{ config.baseUrl }}',
    config: { type: 'object', properties: { baseUrl: { type: 'string', format: 'uri' } }, required: ['baseUrl'] },
    auth: { type: 'none' },
    streams: [{ name: 'items', path: '/items', recordSelector: '/data', primaryKey: '/id' }],
  };
}

/** A connector definition of the caller's tenant. */
async function connectorDefinition(f: Fixtures): Promise<string> {
  const created = await f.hub.request('POST', '/v1/connector-definitions', {
    key: f.admin,
    rawBody: JSON.stringify(definitionDocument()),
    headers: { 'Content-Type': 'application/json' },
  });
  if (created.status !== 201) throw new Error(`connector definition: ${created.status} ${created.text}`);
  return created.body.definition.id as string;
}

/** A connector of the caller's tenant (the scan peer answers its connection test). */
async function scanConnector(f: Fixtures): Promise<string> {
  const created = await f.hub.request('POST', '/v1/connectors', { key: f.admin, body: scanConnectorBody(f) });
  if (created.status !== 201) throw new Error(`scan connector: ${created.status} ${created.text}`);
  return created.body.connector.id as string;
}

/**
 * A job whose workflow waits on a task queue no worker polls: it stays queued, so cancelling it
 * is always possible, whatever the timing.
 */
async function parkedJob(f: Fixtures): Promise<string> {
  const owner = ownerDb();
  try {
    const id = randomUUID();
    const workflowId = `job/${f.tenant.slug}/export/${id}`;
    await owner('jobs').insert({
      id,
      tenant_id: f.tenant.id,
      kind: 'export',
      status: 'queued',
      params: JSON.stringify({ dataset: 'users', format: 'csv' }),
      workflow_id: workflowId,
    });
    const handle = await f.hub.temporal.workflow.start(WORKFLOW_TYPES.exportJob, { workflowId, taskQueue: 'access-matrix-parked', args: [{ jobId: id }] });
    await owner('jobs').where({ id }).update({ run_id: handle.firstExecutionRunId });
    return id;
  } finally {
    await owner.destroy();
  }
}

/** A completed export job (it has an output file to download). */
async function finishedExport(f: Fixtures): Promise<string> {
  const started = await f.hub.request('POST', '/v1/jobs', { key: f.admin, body: { kind: 'export', params: { dataset: 'users', format: 'csv' } } });
  const id = started.body.job.id as string;
  return eventually(
    async () => {
      const job = await f.hub.request('GET', `/v1/jobs/${id}`, { key: f.admin });
      return job.body.job.status === 'completed' ? id : undefined;
    },
    20_000,
    `export ${id} to complete`,
    100,
  );
}

const SCAN_KEY = 'matrix-scan-key';
const tenantRoutes = routes.filter((route) => route.auth === 'tenant');

/** IdP metadata for SAML connections (the test IdP's certificate; nothing is fetched). */
function matrixIdpMetadata(): string {
  const cert = fs.readFileSync(path.join(__dirname, '../peers/saml/testIdpCert.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, '');
  return samlify
    .IdentityProvider({
      entityID: 'https://idp.matrix.example/metadata',
      signingCert: cert,
      wantAuthnRequestsSigned: false,
      singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: 'https://idp.matrix.example/sso' }],
    })
    .getMetadata();
}

async function createSamlConnection(f: Fixtures): Promise<string> {
  const created = await f.hub.request('POST', '/v1/identity/connections', {
    key: f.admin,
    body: { type: 'saml', name: 'Matrix', idpMetadataXml: matrixIdpMetadata() },
  });
  if (created.status !== 201) throw new Error(`connection: ${created.status} ${created.text}`);
  return created.body.connection.id;
}

async function createIdentityDomain(f: Fixtures): Promise<string> {
  const created = await f.hub.request('POST', '/v1/identity/domains', {
    key: f.admin,
    body: { domain: `m-${Math.random().toString(36).slice(2, 10)}.example` },
  });
  if (created.status !== 201) throw new Error(`domain: ${created.status} ${created.text}`);
  return created.body.domain.id;
}

function successStatus(key: string): number {
  if (key === 'POST /v1/wallet/top-ups') return 409;
  const route = tenantRoutes.find((candidate) => routeKey(candidate) === key)!;
  return Math.min(
    ...Object.keys(route.responses)
      .map(Number)
      .filter((status) => status >= 200 && status < 300),
  );
}

describe('authorization: the route × role table and cross-tenant access', () => {
  const scanPeer = useStarted(() => startScanPeer({ port: 0, apiKey: SCAN_KEY }));
  const receiver = useStarted(() => startWebhookReceiver());
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const {
    hub,
    owner,
    tenants: [tenant, other, jobsTenant],
  } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}, {}, {}] });
  let keys: Record<Role, TestKey>;
  let otherKeys: Record<Role, TestKey>;

  beforeAll(async () => {
    [keys, otherKeys] = await Promise.all([keysByRole(hub, tenant), keysByRole(hub, other)]);
  });

  it('every tenant route is in the access table, and every table entry is a route with a recipe here', () => {
    const routeKeys = tenantRoutes.map(routeKey).sort();
    expect(Object.keys(accessTable).sort()).toEqual(routeKeys);
    expect(routeKeys.filter((key) => !recipes[key])).toEqual([]);
  });

  const cases = Object.entries(accessTable).flatMap(([key, required]) => ROLES.map((role) => [key, role, required] as const));
  it.each(cases)('%s as %s (needs %s)', async (key, role, required) => {
    const method = key.split(' ')[0]!;
    const call = await recipes[key]!({ hub, tenant, admin: tenant.key, caller: keys[role].key, scanPeerUrl: scanPeer.url, webhookUrl: receiver.url });
    const response = await hub.request(method, call.path, { key: keys[role].key, body: call.body, rawBody: call.rawBody, headers: call.headers });
    if (roleAtLeast(role, required)) {
      const failed = response.status >= 300 && !(key === 'POST /v1/wallet/top-ups' && response.body?.error?.code === 'NO_PAYMENT_METHOD');
      expect({ key, role, status: response.status, body: failed ? response.text : '' }).toEqual({
        key,
        role,
        status: successStatus(key),
        body: '',
      });
    } else {
      expect({ key, role, status: response.status, code: response.body?.error?.code }).toEqual({ key, role, status: 403, code: 'FORBIDDEN' });
    }
  });

  // BOLA: every route with an :id, called with real ids of tenant A by an admin key of tenant B.
  const idRoutes = Object.keys(accessTable).filter((key) => key.includes('/:'));
  it.each(idRoutes)("%s with another tenant's id answers 404 and changes nothing", async (key) => {
    const method = key.split(' ')[0]!;
    const call = await recipes[key]!({ hub, tenant, admin: tenant.key, caller: tenant.key, scanPeerUrl: scanPeer.url, webhookUrl: receiver.url });
    const before = await hub.request('GET', call.path.replace(/^\/v1\/([^/]+)\/([^/]+).*$/, '/v1/$1/$2'), { key: tenant.key });
    const response = await hub.request(method, call.path, { key: otherKeys.admin.key, body: call.body });
    expect({ key, status: response.status, code: response.body?.error?.code }).toEqual({ key, status: 404, code: 'NOT_FOUND' });
    // Still there, unchanged, for its own tenant.
    const after = await hub.request('GET', call.path.replace(/^\/v1\/([^/]+)\/([^/]+).*$/, '/v1/$1/$2'), { key: tenant.key });
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before.body);
  });

  it("lists never show another tenant's rows", async () => {
    const mine = await hub.request('GET', '/v1/users?limit=100', { key: keys.viewer.key });
    const theirs = await hub.request('GET', '/v1/users?limit=100', { key: otherKeys.viewer.key });
    const mineIds = new Set(mine.body.data.map((user: { id: string }) => user.id));
    expect(theirs.body.data.some((user: { id: string }) => mineIds.has(user.id))).toBe(false);
    const audit = await hub.request('GET', '/v1/audit-logs?limit=100', { key: otherKeys.admin.key });
    expect(JSON.stringify(audit.body)).not.toContain(tenant.id);
  });

  it('a key with scopes may only call routes its scopes cover', async () => {
    const scoped = await createKey(hub, tenant, 'manager', { scopes: ['users:read'] });
    expect((await hub.request('GET', '/v1/users', { key: scoped.key })).status).toBe(200);
    const write = await hub.request('POST', '/v1/users', { key: scoped.key, body: { email: 'scoped@example.test', name: 'S', role: 'viewer' } });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain('users:write');
    expect((await hub.request('GET', '/v1/tenant', { key: scoped.key })).status).toBe(403);
    // A key may mint keys only within its own scopes.
    const minter = await createKey(hub, tenant, 'member', { scopes: ['users:read', 'api-keys:write'] });
    const wider = await hub.request('POST', '/v1/api-keys', { key: minter.key, body: { name: 'x', role: 'viewer', scopes: ['users:*'] } });
    expect(wider.status).toBe(403);
    expect(wider.body.error.message).toContain('users:*');
    const unscoped = await hub.request('POST', '/v1/api-keys', { key: minter.key, body: { name: 'x', role: 'viewer' } });
    expect(unscoped.status).toBe(403);
    const narrower = await hub.request('POST', '/v1/api-keys', { key: minter.key, body: { name: 'x', role: 'viewer', scopes: ['users:read'] } });
    expect(narrower.status).toBe(201);
  });

  /**
   * Jobs: each kind × dataset needs the role and the key scopes of the data it reads or writes, on
   * top of POST /v1/jobs's own manager and jobs:write. Written out here, not computed from the
   * code, so the test states the policy. Runs in a tenant of its own (its jobs run to the end).
   */
  describe('jobs: each kind × dataset needs the role and scopes of its data', () => {
    interface JobFixtures {
      uploadId: string;
      connectorId: string;
      backupId: string;
      backupJobId: string;
    }
    type Access = { role: Role; scopes: string[] } | 'platform admin';
    const jobCases: Array<{ name: string; access: Access; body: (f: JobFixtures) => { kind: string; params: Record<string, unknown> } }> = [
      { name: 'export users', access: { role: 'manager', scopes: ['users:read'] }, body: () => exportOf('users') },
      { name: 'export records', access: { role: 'manager', scopes: ['records:read'] }, body: () => exportOf('records') },
      { name: 'export audit_logs', access: { role: 'admin', scopes: ['audit-logs:read'] }, body: () => exportOf('audit_logs') },
      { name: 'export usage', access: { role: 'manager', scopes: ['usage:read'] }, body: () => exportOf('usage') },
      { name: 'export invoices', access: { role: 'manager', scopes: ['invoices:read'] }, body: () => exportOf('invoices') },
      { name: 'user_import', access: { role: 'admin', scopes: ['users:write'] }, body: (f) => ({ kind: 'user_import', params: { uploadId: f.uploadId } }) },
      {
        name: 'batch_scan',
        access: { role: 'manager', scopes: ['connectors:write'] },
        body: (f) => ({ kind: 'batch_scan', params: { items: [{ id: 'matrix-1', medication: 'Aspirin' }], connectorId: f.connectorId } }),
      },
      {
        name: 'migration into users',
        access: { role: 'admin', scopes: ['users:write'] },
        body: (f) => ({ kind: 'migration', params: { uploadId: f.uploadId, mapping: { email: 'email', name: 'name' }, dryRun: true } }),
      },
      {
        name: 'migration of a connector stream into records',
        access: { role: 'admin', scopes: ['records:write', 'connectors:write'] },
        body: (f) => ({
          kind: 'migration',
          params: {
            connectorId: f.connectorId,
            stream: 'scans',
            target: 'records',
            records: { connectorId: f.connectorId, stream: 'legacy_scans' },
            mapping: { externalId: '$externalId' },
            dryRun: true,
          },
        }),
      },
      { name: 'backup', access: { role: 'admin', scopes: ['*:read'] }, body: () => ({ kind: 'backup', params: {} }) },
      {
        name: 'restore in place',
        access: { role: 'admin', scopes: ['*:write'] },
        body: (f) => ({ kind: 'restore', params: { backupId: f.backupId, confirm: true } }),
      },
      {
        name: 'restore into a new slug',
        access: 'platform admin',
        body: (f) => ({ kind: 'restore', params: { backupId: f.backupId, targetTenantSlug: `matrix-${randomUUID().slice(0, 8)}` } }),
      },
    ];
    function exportOf(dataset: string) {
      return { kind: 'export', params: { dataset, format: 'csv' } };
    }

    let jobKeys: Record<Role, TestKey>;
    let fixtures: JobFixtures;
    beforeAll(async () => {
      jobKeys = await keysByRole(hub, jobsTenant);
      const uploadId = await uploadFile(hub, jobsTenant, { name: 'users.csv', contentType: 'text/csv', body: 'email,name,role\n' });
      const connector = await hub.request('POST', '/v1/connectors', {
        key: jobsTenant.key,
        body: { type: 'scan', name: 'matrix scans', config: { endpoint: scanPeer.url }, credentials: { apiKey: SCAN_KEY } },
      });
      expect(connector.status).toBe(201);
      const backup = await finishedJob(hub, jobsTenant, (await startJobVia(hub, jobsTenant, 'backup', {})).id);
      expect(backup.status).toBe('completed');
      fixtures = { uploadId, connectorId: connector.body.connector.id, backupId: backup.result.backupId, backupJobId: backup.id };
    });

    const jobCount = async () => Number((await owner('jobs').where({ tenant_id: jobsTenant.id }).count('* as count').first())!.count);

    /** Starts the job with the key: a 202 job is run to its end (so the tenant's job limits never bind); a refusal must be 403 in the error shape, with no job recorded. */
    async function expectStart(key: string, body: { kind: string; params: Record<string, unknown> }, allowed: boolean, label: Record<string, unknown>) {
      const before = await jobCount();
      const response = await hub.request('POST', '/v1/jobs', { key, body });
      if (allowed) {
        expect({ ...label, status: response.status, body: response.status === 202 ? '' : response.text }).toEqual({ ...label, status: 202, body: '' });
        await finishedJob(hub, jobsTenant, response.body.job.id as string);
        return;
      }
      expect({ ...label, status: response.status, code: response.body?.error?.code }).toEqual({ ...label, status: 403, code: 'FORBIDDEN' });
      expect(errorResponseSchema.strict().safeParse(response.body).success).toBe(true);
      expect(await jobCount()).toBe(before);
    }

    const byRole = jobCases.flatMap((jobCase) => ROLES.map((role) => [jobCase.name, role, jobCase] as const));
    it.each(byRole)('%s as an unscoped %s key', async (name, role, jobCase) => {
      const { access } = jobCase;
      const allowed = access !== 'platform admin' && roleAtLeast(role, 'manager') && roleAtLeast(role, access.role);
      await expectStart(jobKeys[role].key, jobCase.body(fixtures), allowed, { name, role });
    });

    it.each(jobCases.map((jobCase) => [jobCase.name, jobCase] as const))(
      '%s: the route scope alone (jobs:*, uploads:*) is refused; its data scopes admit it',
      async (name, jobCase) => {
        const routeOnly = await createKey(hub, jobsTenant, 'admin', { scopes: ['jobs:*', 'uploads:*'] });
        await expectStart(routeOnly.key, jobCase.body(fixtures), false, { name, scopes: 'jobs:*, uploads:*' });
        if (jobCase.access === 'platform admin') {
          const everything = await createKey(hub, jobsTenant, 'admin', { scopes: ['*'] });
          await expectStart(everything.key, jobCase.body(fixtures), false, { name, scopes: '*' });
          return;
        }
        const needed = jobCase.access.scopes;
        for (const missing of needed) {
          const short = await createKey(hub, jobsTenant, 'admin', { scopes: ['jobs:write', ...needed.filter((scope) => scope !== missing)] });
          await expectStart(short.key, jobCase.body(fixtures), false, { name, missing });
        }
        const enough = await createKey(hub, jobsTenant, 'admin', { scopes: ['jobs:write', ...needed] });
        await expectStart(enough.key, jobCase.body(fixtures), true, { name, scopes: needed.join(', ') });
      },
    );

    it.each(jobCases.filter((jobCase) => jobCase.name.startsWith('export ')).map((jobCase) => [jobCase.name, jobCase] as const))(
      "downloading the output of %s needs the dataset's role and scope too",
      async (name, jobCase) => {
        const access = jobCase.access as { role: Role; scopes: string[] };
        const job = await finishedJob(hub, jobsTenant, (await startJobVia(hub, jobsTenant, 'export', jobCase.body(fixtures).params)).id);
        expect(job.status).toBe('completed');
        const download = (key: string) => hub.request('GET', `/v1/jobs/${job.id}/download`, { key });
        const asManager = await download(jobKeys.manager.key);
        expect({ name, status: asManager.status }).toEqual({ name, status: roleAtLeast('manager', access.role) ? 200 : 403 });
        const routeOnly = await download((await createKey(hub, jobsTenant, 'admin', { scopes: ['jobs:*'] })).key);
        expect({ name, status: routeOnly.status, code: routeOnly.body?.error?.code }).toEqual({ name, status: 403, code: 'FORBIDDEN' });
        const scoped = await download((await createKey(hub, jobsTenant, 'admin', { scopes: ['jobs:read', ...access.scopes] })).key);
        expect({ name, status: scoped.status }).toEqual({ name, status: 200 });
      },
    );

    it("cancelling a job needs its kind's role and scopes, checked before whether it still runs", async () => {
      const cancel = (key: string) => hub.request('POST', `/v1/jobs/${fixtures.backupJobId}/cancel`, { key });
      const asManager = await cancel(jobKeys.manager.key);
      expect({ status: asManager.status, code: asManager.body?.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      const routeOnly = await cancel((await createKey(hub, jobsTenant, 'admin', { scopes: ['jobs:*'] })).key);
      expect({ status: routeOnly.status, code: routeOnly.body?.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      const asAdmin = await cancel(jobKeys.admin.key);
      expect({ status: asAdmin.status, code: asAdmin.body?.error?.code }).toEqual({ status: 409, code: 'JOB_FINISHED' });
    });
  });
});
