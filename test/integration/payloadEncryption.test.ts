import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { type temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { ENCRYPTED_ENCODING, encryptionKeyId, hubDataConverter, isEncrypted } from '../../platform/temporal/payloadEncryption';
import { startScanPeer } from '../peers/scan/scanPeer';
import { registerScanConnector } from '../support/connectorFactories';
import { closedExecutionStatus } from '../support/closedExecution';
import { useHub, useStarted } from '../support/harness';
import { finishedJob, startJobVia } from '../support/jobs';
import { cleanEnv, exitOf, spawnEntry } from '../support/processes';

/**
 * Only what the server must read itself stays out of the codec: search attributes (indexed) and
 * the UI summary the hub writes (`staticSummary`, never patient data).
 */
const SERVER_READ = new Set(['searchAttributes', 'userMetadata']);

/** Every payload in a history (workflow input, activity inputs and results, …), wherever it sits. */
function payloadsOf(history: temporal.api.history.v1.IHistory): Array<{ path: string; payload: Payload }> {
  const found: Array<{ path: string; payload: Payload }> = [];
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null || ArrayBuffer.isView(node)) return;
    const candidate = node as Payload;
    if (candidate.metadata && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata) {
      found.push({ path, payload: candidate });
      return;
    }
    for (const [key, value] of Object.entries(node)) if (!SERVER_READ.has(key)) visit(value, `${path}.${key}`);
  };
  visit(history, 'history');
  return found;
}

const asJson = (payload: { metadata?: Record<string, string>; data?: string }) => JSON.parse(Buffer.from(payload.data ?? '', 'base64').toString('utf8'));
const wire = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

/**
 * Issue 17 #11: patient data in job parameters and activity payloads is stored by Temporal only as
 * ciphertext; the workflow runs as before; the codec endpoint decodes for the platform admin only.
 */
describe('Temporal payload encryption', () => {
  const peer = useStarted(() => startScanPeer({ port: 0, apiKey: 'scan-key' }));
  const { hub, tenant, owner } = useHub({ tenants: [{}] });
  const marker = `PHI-MARKER-${randomBytes(6).toString('hex')}`;
  let connectorId: string;
  let workflowId: string;
  let history: temporal.api.history.v1.IHistory;
  let rawClient: Client;
  let rawConnection: Connection;

  beforeAll(async () => {
    connectorId = await registerScanConnector(hub, tenant, peer, { apiKey: 'scan-key', batchSize: 100 });
    rawConnection = await Connection.connect({ address: hub.config.TEMPORAL_ADDRESS! });
    // A client WITHOUT the codec: what anyone with access to the Temporal server (or its database) sees.
    rawClient = new Client({ connection: rawConnection, namespace: hub.config.TEMPORAL_NAMESPACE });
  });
  afterAll(async () => {
    await rawConnection?.close();
  });

  it('runs a batch scan with patient data in its parameters normally; its history holds only ciphertext', async () => {
    const items = [
      { id: 'a', medication: `Lisinopril 10 mg ${marker}`, patientRef: `Patient/${marker}` },
      { id: 'b', medication: 'Metformin 500 mg', patientRef: `Patient/${marker}-2` },
    ];
    const started = await startJobVia(hub, tenant, 'batch_scan', { items, connectorId });
    const job = await finishedJob(hub, tenant, started.id);
    expect(job).toMatchObject({ status: 'completed', result: { total: 2, succeeded: 2, failed: 0 } });
    workflowId = job.workflowId;
    expect(await closedExecutionStatus(rawClient, workflowId)).toBe('COMPLETED');

    history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
    // Neither in the JSON of the history (payload bytes in base64) nor in any payload's raw bytes.
    expect(historyToJSON(history)).not.toContain(marker);
    expect(historyToJSON(history)).not.toContain(Buffer.from(marker).toString('base64').slice(0, 12));
    const payloads = payloadsOf(history);
    // Workflow input, activity inputs and results at least.
    expect(payloads.length).toBeGreaterThanOrEqual(5);
    for (const { path, payload } of payloads) {
      expect([path, Buffer.from(payload.metadata!.encoding!).toString()]).toEqual([path, ENCRYPTED_ENCODING]);
      expect(encryptionKeyId(payload)).toBe(hub.vault.keyring.current.id);
      expect(Buffer.from(payload.data!).includes(marker)).toBe(false);
    }
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    expect(input.every(isEncrypted)).toBe(true);

    // The hub's own client reads the same input back in the clear.
    const [decoded] = await hub.temporal.options.loadedDataConverter.payloadCodecs[0]!.decode(input);
    expect(JSON.stringify(defaultPayloadConverter.fromPayload(decoded!))).toContain(marker);
  });

  it('replays the encrypted history with the worker data converter (no nondeterminism)', async () => {
    const bundlePath = process.env.HUB_TEST_WORKFLOW_BUNDLE!;
    await Worker.runReplayHistory(
      { workflowBundle: { code: fs.readFileSync(bundlePath, 'utf8') }, dataConverter: hubDataConverter(hub.vault.keyring) },
      history,
      workflowId,
    );
  });

  it('decodes through POST /codec/decode for the platform admin, audited in the tenant audit log', async () => {
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    const response = await hub.request('POST', '/codec/decode', { admin: true, body: { payloads: input.map(wire) }, headers: { 'X-Namespace': 'default' } });
    expect(response.status).toBe(200);
    expect(response.body.payloads).toHaveLength(input.length);
    expect(Buffer.from(response.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
    const decoded = asJson(response.body.payloads[0]);
    expect(decoded).toMatchObject({ tenantId: tenant.id, kind: 'batch_scan' });
    expect(JSON.stringify(decoded)).toContain(marker);

    const audit = await owner('audit_log').where({ tenant_id: tenant.id, action: 'temporal_payload.decoded' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'platform_admin', details: { namespace: 'default', payloads: input.length, encrypted: input.length } });
    expect(JSON.stringify(audit[0])).not.toContain(marker);
  });

  it.each([
    ['no credentials', {}],
    ['a wrong admin token', { Authorization: `Bearer ${'w'.repeat(48)}` }],
    ['the tenant admin key as bearer', 'tenantBearer'],
    ['the tenant admin key as X-API-Key', 'tenantKey'],
  ] as const)('refuses %s with 401 and reveals nothing', async (_, credentials) => {
    const headers =
      credentials === 'tenantBearer' ? { Authorization: `Bearer ${tenant.key}` } : credentials === 'tenantKey' ? { 'X-API-Key': tenant.key } : credentials;
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    for (const path of ['/codec/decode', '/codec/encode']) {
      const response = await hub.request('POST', path, { headers, body: { payloads: input.map(wire) } });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
      expect(response.text).not.toContain(marker);
    }
  });

  it('encodes through POST /codec/encode as the hub does; unencrypted payloads decode unchanged', async () => {
    const plain = wire(defaultPayloadConverter.toPayload({ note: marker }));
    const encoded = await hub.request('POST', '/codec/encode', { admin: true, body: { payloads: [plain] } });
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded.body.payloads[0].data, 'base64').includes(marker)).toBe(false);
    const decoded = await hub.request('POST', '/codec/decode', { admin: true, body: { payloads: [encoded.body.payloads[0], plain] } });
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads).toEqual([plain, plain]);

    const garbage = await hub.request('POST', '/codec/decode', { admin: true, rawBody: '{"payloads": 3}', headers: { 'Content-Type': 'application/json' } });
    expect(garbage.status).toBe(400);
    const tampered = { ...encoded.body.payloads[0], data: Buffer.from('not the ciphertext at all, clearly').toString('base64') };
    expect((await hub.request('POST', '/codec/decode', { admin: true, body: { payloads: [tampered] } })).status).toBe(400);
  });

  it('answers the Temporal UI origin with CORS (preflight and answers, refusals included), other origins without', async () => {
    const uiOrigin = new URL(hub.config.TEMPORAL_UI_URL).origin;
    const preflight = (origin: string) =>
      fetch(`${hub.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
      });
    const fromUi = await preflight(uiOrigin);
    expect(fromUi.status).toBe(204);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(fromUi.headers.get('access-control-allow-headers')).toMatch(/Authorization.*Content-Type.*X-Namespace/);
    expect(fromUi.headers.get('access-control-allow-methods')).toContain('POST');
    const fromElsewhere = await preflight('https://evil.example');
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();

    const refused = await hub.request('POST', '/codec/decode', { headers: { Origin: uiOrigin }, body: { payloads: [] } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    const allowed = await hub.request('POST', '/codec/decode', { admin: true, headers: { Origin: uiOrigin }, body: { payloads: [] } });
    expect([allowed.status, allowed.headers.get('access-control-allow-origin')]).toEqual([200, uiOrigin]);
  });

  it('npm run temporal shows the history decoded through the codec endpoint', async () => {
    const port = hub.config.TEMPORAL_ADDRESS!.split(':').pop()!;
    const shown = spawnEntry('platform/local/temporalCommand.ts', cleanEnv({ TEMPORAL_PORT: port, HUB_ADMIN_TOKEN: hub.adminToken, PUBLIC_URL: hub.url }), [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      '--output',
      'json',
    ]);
    expect(await exitOf(shown)).toEqual({ code: 0, signal: null });
    const output = shown.output();
    type WirePayload = { metadata: Record<string, string>; data: string };
    const shownHistory = JSON.parse(output.slice(output.indexOf('{'))) as {
      events: Array<{ workflowExecutionStartedEventAttributes?: { input: { payloads: WirePayload[] } } }>;
    };
    const input = shownHistory.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads[0]!;
    expect(Buffer.from(input.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.stringify(asJson(input))).toContain(marker);
    expect(output).not.toContain(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
  });
});
