import { ConfigError } from '../../connectors/errors';
import { fhirConnector } from '../../connectors/fhir';
import { quickbooksConnector } from '../../connectors/quickbooks';
import { salesforceConnector } from '../../connectors/salesforce';
import { scanConnector } from '../../connectors/scan';
import { stripeConnector } from '../../connectors/stripe';
import { type ConnectorInstance, type ResponseLimits } from '../../connectors/types';
import { type Database } from '../../platform/db';
import { createWebhookSender } from '../../platform/webhooks/webhookSender';
import { type FloodProgress } from '../peers/faults';
import { type FhirPeer, startFhirPeer } from '../peers/fhir/fhirPeer';
import { type QuickBooksPeer, startQuickBooksPeer } from '../peers/quickbooks/quickbooksPeer';
import { type RunningSalesforcePeer, startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { startScanPeer } from '../peers/scan/scanPeer';
import { type RunningPeer } from '../peers/peer';
import { caught, createTestConnector, createTestDatabase, TestCredentialStore } from '../support/connectorContext';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * A tenant's server that answers with 1 GB (issue 17 #7): every connector transport stops reading
 * at its limit and fails with a ConfigError RESPONSE_TOO_LARGE naming it, the peer's stream stops
 * early, and the worker's memory stays far below the size of the answer.
 */
describe('response size limits against a peer that streams 1 GB', () => {
  let fhir: FhirPeer;
  let quickbooks: QuickBooksPeer;
  let salesforce: RunningSalesforcePeer;
  // The flood fault answers before any routing: the scan peer stands in for any system here (Stripe too).
  let generic: RunningPeer;
  let db: Database;

  beforeAll(async () => {
    [fhir, quickbooks, salesforce, generic] = await Promise.all([
      startFhirPeer({ port: 0, records: 20, seed: 3, exportFileSize: 10, exportDelayMs: 0, exportRetryAfterSeconds: 1 }),
      startQuickBooksPeer({ port: 0, records: 10 }),
      startSalesforcePeer({ port: 0, records: 10 }),
      startScanPeer({ port: 0, apiKey: 'k' }),
    ]);
    db = createTestDatabase('response-limits');
  });
  afterAll(async () => {
    await Promise.all([fhir.stop(), quickbooks.stop(), salesforce.stop(), generic.stop()]);
    await db.close();
  });
  afterEach(() => {
    for (const peer of [fhir, quickbooks, salesforce, generic]) peer.faults.clear();
  });

  function connector(definition: Parameters<typeof createTestConnector>[0]['definition'], config: unknown, credentials: unknown, limits?: ResponseLimits) {
    return createTestConnector({ definition, config, credentials, store: new TestCredentialStore(), db, limits }).instance;
  }
  const fhirConnectorAt = (config: Record<string, unknown> = {}, limits?: ResponseLimits) =>
    connector(fhirConnector, { baseUrl: fhir.baseUrl, ...config }, { bearerToken: fhir.auth.issueStaticToken() }, limits);

  /**
   * Runs `call` (expected to fail) while sampling the process's resident memory; answers the error,
   * the peak growth over the baseline, and the flood's progress once it has settled.
   */
  async function flooded(
    peer: RunningPeer,
    match: RegExp,
    call: () => Promise<unknown>,
    fault: Partial<{ head: string; unit: string; gzip: boolean; declareLength: boolean; contentType: string }> = {},
  ) {
    const progress: FloodProgress = { sent: 0, complete: false };
    peer.faults.add({ fault: { kind: 'flood', bytes: GIB, progress, ...fault }, match });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    let error: unknown;
    try {
      error = await caught(call);
    } finally {
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    // The peer only writes what the socket takes: once the hub stops reading, the stream stops.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = progress.sent;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(progress.sent).toBe(settled);
    expect(progress.complete).toBe(false);
    return { error, peakGrowth: peak - baseline, sent: progress.sent };
  }

  function expectTooLarge(error: unknown, limit: string) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ kind: 'config', code: 'RESPONSE_TOO_LARGE', message: expect.stringContaining(limit) });
  }

  it('FHIR search (fhir-kit-client over the bounded dispatcher) stops at CONNECTOR_MAX_RESPONSE_BYTES', async () => {
    const instance = fhirConnectorAt();
    const { error, peakGrowth, sent } = await flooded(fhir, /^GET \/fhir\/R4\/Patient$/, () => instance.readPage('Patient', null, 100), {
      head: '{"resourceType":"Bundle","type":"searchset","entry":[',
      unit: '{"resource":{"resourceType":"Patient","id":"p","meta":{"lastUpdated":"2026-01-01T00:00:00Z"}}},',
    });
    expectTooLarge(error, `the limit of ${64 * MIB} bytes (CONNECTOR_MAX_RESPONSE_BYTES)`);
    expect(sent).toBeLessThan(GIB / 8);
    expect(peakGrowth).toBeLessThan(400 * MIB);
    // The same connector reads normally once the server behaves.
    await expect(instance.readPage('Patient', null, 5)).resolves.toMatchObject({ records: expect.any(Array) });
  });

  it('FHIR search counts a compressed answer by what it expands to, at the configured limit', async () => {
    const instance = fhirConnectorAt({}, { maxResponseBytes: 8 * MIB, maxLineBytes: MIB });
    const { error, sent } = await flooded(fhir, /^GET \/fhir\/R4\/Patient$/, () => instance.readPage('Patient', null, 100), {
      head: '{"resourceType":"Bundle","entry":[',
      unit: '{"resource":{"resourceType":"Patient","id":"p"}},',
      gzip: true,
    });
    expectTooLarge(error, `the limit of ${8 * MIB} bytes`);
    expect(sent).toBeLessThan(GIB / 8);
  });

  it('FHIR Bulk NDJSON stops a line at CONNECTOR_MAX_LINE_BYTES without buffering it', async () => {
    const instance = fhirConnectorAt({ readMode: 'bulk' });
    // One line of 1 GB: the file is streamed (its own bound is 4 GiB), the line is not allowed to grow.
    const { error, peakGrowth, sent } = await flooded(fhir, /\$export-file\//, () => instance.readPage('Patient', null, 100), {
      contentType: 'application/fhir+ndjson',
      head: '{"resourceType":"Patient","id":"',
      unit: 'x',
    });
    expectTooLarge(error, `a line of the NDJSON file exceeds the limit of ${16 * MIB} bytes (CONNECTOR_MAX_LINE_BYTES)`);
    expect(sent).toBeLessThan(GIB / 8);
    expect(peakGrowth).toBeLessThan(400 * MIB);
  });

  it('QuickBooks (node-quickbooks: axios over the guarded agents) stops at CONNECTOR_MAX_RESPONSE_BYTES', async () => {
    const instance = connector(
      quickbooksConnector,
      { realmId: quickbooks.realmId, baseUrl: quickbooks.url, tokenUrl: `${quickbooks.url}/oauth2/v1/tokens/bearer` },
      quickbooks.issueCredentials(),
    );
    const { error, peakGrowth, sent } = await flooded(quickbooks, /query/, () => instance.readPage('Customer', null, 100), {
      head: '{"QueryResponse":{"Customer":[',
      unit: '{"Id":"1","DisplayName":"x"},',
    });
    expectTooLarge(error, 'CONNECTOR_MAX_RESPONSE_BYTES');
    expect(sent).toBeLessThan(GIB / 8);
    expect(peakGrowth).toBeLessThan(400 * MIB);
  });

  it('Salesforce (jsforce over the guarded fetch) stops at CONNECTOR_MAX_RESPONSE_BYTES', async () => {
    const instance = connector(
      salesforceConnector,
      { instanceUrl: salesforce.url, loginUrl: salesforce.url, apiVersion: '62.0' },
      { accessToken: salesforce.issueAccessToken() },
    );
    const { error, peakGrowth, sent } = await flooded(salesforce, /\/query/, () => instance.readPage('Account', null, 200), {
      head: '{"totalSize":1,"done":false,"records":[',
      unit: '{"attributes":{"type":"Account"},"Id":"001"},',
    });
    expectTooLarge(error, `the limit of ${64 * MIB} bytes (CONNECTOR_MAX_RESPONSE_BYTES)`);
    expect(sent).toBeLessThan(GIB / 8);
    expect(peakGrowth).toBeLessThan(400 * MIB);
  });

  it('Stripe (the stripe package over the guarded agent, which has no size option) stops at the limit', async () => {
    const instance: ConnectorInstance = connector(
      stripeConnector,
      { apiBase: generic.url },
      { secretKey: 'sk_test_flood' },
      { maxResponseBytes: 4 * MIB, maxLineBytes: MIB },
    );
    const { error, sent } = await flooded(generic, /\/v1\/customers/, () => instance.testConnection(), {
      head: '{"object":"list","data":[',
      unit: '{"id":"cus_1"},',
    });
    expectTooLarge(error, `the limit of ${4 * MIB} bytes (CONNECTOR_MAX_RESPONSE_BYTES)`);
    expect(sent).toBeLessThan(GIB / 8);
  });

  it('the scan provider (guarded fetch) stops at the limit, and refuses a declared length over it before reading', async () => {
    const instance = connector(scanConnector, { endpoint: generic.url }, { apiKey: 'k' }, { maxResponseBytes: 4 * MIB, maxLineBytes: MIB });
    const streamed = await flooded(generic, /scans/, () => instance.readPage('scans', null, 10));
    expectTooLarge(streamed.error, `the limit of ${4 * MIB} bytes (CONNECTOR_MAX_RESPONSE_BYTES)`);
    expect(streamed.sent).toBeLessThan(GIB / 8);
    const declared = await flooded(generic, /scans/, () => instance.readPage('scans', null, 10), { declareLength: true });
    expectTooLarge(declared.error, `response of ${GIB} bytes exceeds the limit`);
    expect(declared.sent).toBeLessThan(GIB / 8);
  });

  it('a webhook receiver answering 1 GB (declared or streamed) gets its answer read up to 64 KiB, the rest discarded', async () => {
    const send = createWebhookSender({ HUB_ALLOW_PRIVATE_NETWORK: true, HUB_NETWORK_ALLOWLIST: [], WEBHOOK_TIMEOUT: '10s' });
    for (const declareLength of [false, true]) {
      const progress: FloodProgress = { sent: 0, complete: false };
      generic.faults.add({ fault: { kind: 'flood', bytes: GIB, progress, declareLength }, match: /hooks/ });
      const result = await send({ url: `${generic.url}/hooks`, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', messageId: 'msg_flood', body: '{}' });
      // The receiver answered 200: a large answer is not a refused destination.
      expect({ declareLength, ...result }).toMatchObject({ declareLength, outcome: 'succeeded', statusCode: 200, error: null });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(progress.sent).toBeLessThan(GIB / 8);
      expect(progress.complete).toBe(false);
    }
  });
});
