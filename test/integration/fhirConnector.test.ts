import { generateKeyPairSync } from 'node:crypto';
import { AuthError, ConfigError, RateLimitError, TransientError } from '../../connectors/errors';
import { fhirConnector } from '../../connectors/fhir';
import { type Database } from '../../platform/db';
import { changedSince } from '../support/connectors';
import { caught, createTestConnector, createTestDatabase, readAll, TestCredentialStore } from '../support/connectorContext';
import { type FhirPeer, startFhirPeer } from '../peers/fhir/fhirPeer';

function keyPair(type: 'rsa' | 'ec') {
  const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return {
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

describe('fhir connector against the FHIR peer (@medplum/fhir-router)', () => {
  const RECORDS = 5_000;
  let peer: FhirPeer;
  let db: Database;
  const rsa = keyPair('rsa');
  let clients = 0;

  beforeAll(async () => {
    peer = await startFhirPeer({ port: 0, records: RECORDS, seed: 11, exportFileSize: 1000, exportDelayMs: 1500, exportRetryAfterSeconds: 1 });
    db = createTestDatabase('fhir-connector');
  });
  afterAll(async () => {
    await peer.stop();
    await db.close();
  });
  afterEach(() => peer.faults.clear());

  /** A SMART Backend Services client registered at the peer (token URL discovered unless given). */
  function smartCredentials(key = rsa, tokenUrl?: string) {
    const clientId = `backend-${(clients += 1)}`;
    peer.auth.registerClient(clientId, key.publicKeyPem);
    return { clientId, privateKeyPem: key.privateKeyPem, ...(tokenUrl ? { tokenUrl } : {}) };
  }

  function connector(config: Record<string, unknown> = {}, credentials: Record<string, unknown> = smartCredentials(), heartbeat?: (details?: unknown) => void) {
    return createTestConnector({
      definition: fhirConnector,
      config: { baseUrl: peer.baseUrl, ...config },
      credentials,
      store: new TestCredentialStore(),
      db,
      heartbeat,
    }).instance;
  }

  it('reads 5,000 patients by _lastUpdated search in keyset pages, with one SMART backend token', async () => {
    const instance = connector();
    const before = peer.auth.requests;
    const { records, cursor, pages } = await readAll(instance, 'Patient', null, 500);
    expect(records).toHaveLength(RECORDS);
    expect(new Set(records.map((record) => record.externalId)).size).toBe(RECORDS);
    // Keyset pages ask again from the previous page's newest instant (its record is not delivered twice).
    expect(pages).toBeGreaterThanOrEqual(RECORDS / 500);
    expect(pages).toBeLessThanOrEqual(Math.ceil(RECORDS / 499) + 1);
    const times = records.map((record) => Date.parse(record.sourceUpdatedAt!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(peer.auth.requests - before).toBe(1);
    expect(peer.auth.grants.at(-1)).toMatchObject({ alg: 'RS384', scope: expect.stringContaining('system/Patient.read') });
    expect(JSON.parse(cursor!)).toMatchObject({ mode: 'search', next: null, since: records.at(-1)!.sourceUpdatedAt });
  });

  it('reads only resources updated after the cursor', async () => {
    const instance = connector();
    const full = await readAll(instance, 'Encounter', null, 1000);
    const ids = await peer.ids('Encounter');
    const changed = [ids[3]!, ids[999]!, ...ids.slice(2000, 2018)];
    await peer.modify('Encounter', changed);
    await peer.remove('Encounter', [ids[4]!]);
    const increment = await readAll(instance, 'Encounter', full.cursor, 7);
    // Besides the changes, the read re-delivers the lookback window before the cursor, unchanged.
    expect(
      changedSince(increment.records, full.records)
        .map((record) => record.externalId)
        .sort(),
    ).toEqual([...changed].sort());
    expect(increment.pages).toBeGreaterThanOrEqual(Math.ceil(changed.length / 7));
    const window = Date.parse(JSON.parse(full.cursor!).since) - 300_000;
    for (const record of increment.records) expect(Date.parse(record.sourceUpdatedAt!)).toBeGreaterThanOrEqual(window);
    expect(changedSince((await readAll(instance, 'Encounter', increment.cursor, 100)).records, full.records, increment.records)).toHaveLength(0);
  });

  it('exports with Bulk Data $export: polls honouring Retry-After, reads NDJSON across files, then exports changes and deletions since transactionTime', async () => {
    const heartbeats: unknown[] = [];
    const instance = connector({ readMode: 'bulk' }, smartCredentials(), (details) => heartbeats.push(details));
    const jobsBefore = new Set(peer.exports.jobs.keys());
    const full = await readAll(instance, 'Observation', null, 700);
    expect(full.records).toHaveLength(RECORDS);
    expect(new Set(full.records.map((record) => record.externalId)).size).toBe(RECORDS);
    expect(full.pages).toBe(Math.ceil(RECORDS / 700));

    // After the download the connector deleted the job at the server (clean-up).
    expect([...peer.exports.jobs.keys()].filter((id) => !jobsBefore.has(id))).toEqual([]);
    const polls = heartbeats.filter((beat) => (beat as { phase: string }).phase === 'export');
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(heartbeats.some((beat) => (beat as { phase: string }).phase === 'download')).toBe(true);

    const cursor = JSON.parse(full.cursor!);
    expect(cursor).toMatchObject({ mode: 'bulk', job: null, files: null });
    const ids = await peer.ids('Observation');
    await peer.modify('Observation', ids.slice(100, 105));
    await peer.remove('Observation', [ids[7]!, ids[8]!, ids[4000]!]);
    const increment = await readAll(instance, 'Observation', full.cursor, 700);
    const deleted = increment.records.filter((record) => record.deleted);
    expect(deleted.map((record) => record.externalId).sort()).toEqual([ids[7], ids[8], ids[4000]].sort());
    expect(
      changedSince(
        increment.records.filter((record) => !record.deleted),
        full.records,
      )
        .map((record) => record.externalId)
        .sort(),
    ).toEqual(ids.slice(100, 105).sort());
  });

  it('spaces export status polls by the Retry-After the server sends', async () => {
    const instance = connector({ readMode: 'bulk' });
    const page = await instance.readPage('MedicationRequest', null, 10);
    expect(page.records).toHaveLength(10);
    const job = [...peer.exports.jobs.values()].at(-1)!;
    expect(job.polls.length).toBeGreaterThanOrEqual(2);
    for (let index = 1; index < job.polls.length; index += 1) expect(job.polls[index]! - job.polls[index - 1]!).toBeGreaterThanOrEqual(950);
  });

  it('hands the export back when polling takes longer than the budget, and resumes it', async () => {
    const instance = connector({ readMode: 'bulk', exportPollTimeoutSeconds: 1 });
    const first = await instance.readPage('Patient', null, 50);
    expect(first.records).toHaveLength(0);
    expect(first.done).toBe(false);
    const waiting = JSON.parse(first.nextCursor!);
    expect(waiting.job.statusUrl).toContain('$export-status/');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const resumed = await instance.readPage('Patient', first.nextCursor, 50);
    expect(resumed.records).toHaveLength(50);
  });

  it('renews a SMART token the server no longer accepts (once), signs ES384 with EC keys, and honours a configured token URL', async () => {
    const instance = connector({}, smartCredentials(keyPair('ec'), peer.tokenUrl));
    const before = peer.auth.requests;
    await instance.readPage('Patient', null, 5);
    await instance.readPage('Patient', null, 5);
    expect(peer.auth.requests - before).toBe(1);
    expect(peer.auth.grants.at(-1)!.alg).toBe('ES384');
    peer.auth.expireAll();
    expect((await instance.readPage('Patient', null, 5)).records).toHaveLength(5);
    expect(peer.auth.requests - before).toBe(2);
  });

  it('classifies refused credentials as AuthError: unknown client, wrong key, expired static token', async () => {
    const unknown = await caught(() => connector({}, { clientId: 'never-registered', privateKeyPem: rsa.privateKeyPem }).testConnection());
    expect(unknown).toBeInstanceOf(AuthError);
    expect((unknown as AuthError).code).toBe('invalid_client');
    const wrongKey = { ...smartCredentials(), privateKeyPem: keyPair('rsa').privateKeyPem };
    await expect(connector({}, wrongKey).testConnection()).rejects.toBeInstanceOf(AuthError);

    const staticToken = peer.auth.issueStaticToken();
    const withStatic = connector({}, { bearerToken: staticToken });
    await expect(withStatic.testConnection()).resolves.toMatchObject({ details: { fhirVersion: '4.0.1', auth: 'static' } });
    peer.faults.add({ fault: { kind: 'expiredToken' }, match: /Patient$/ });
    await expect(withStatic.readPage('Patient', null, 5)).rejects.toBeInstanceOf(AuthError);
  });

  it('classifies 429 with its Retry-After, and 5xx and resets as transient', async () => {
    const instance = connector();
    await instance.readPage('Patient', null, 1);
    peer.faults.add({ fault: { kind: 'status', status: 429, retryAfterSeconds: 3 }, match: /Patient$/ });
    const limited = await caught(() => instance.readPage('Patient', null, 5));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(3_000);
    peer.faults.add({ fault: { kind: 'status', status: 503 }, match: /Patient$/ });
    await expect(instance.readPage('Patient', null, 5)).rejects.toBeInstanceOf(TransientError);
    peer.faults.add({ fault: { kind: 'reset' }, match: /Patient$/ });
    await expect(instance.readPage('Patient', null, 5)).rejects.toBeInstanceOf(TransientError);
  });

  it('applies vendor presets: Epic exports per Group, discovery reports the token URL', async () => {
    const epic = connector({ vendor: 'epic', readMode: 'bulk' });
    await expect(epic.readPage('Patient', null, 5)).rejects.toMatchObject({ code: 'GROUP_REQUIRED' });
    const details = await connector({ vendor: 'cerner' }).testConnection();
    expect(details.details).toMatchObject({ vendor: 'Oracle Health (Cerner)', auth: 'smart', tokenUrl: peer.tokenUrl });
    const grouped = connector({ vendor: 'epic', readMode: 'bulk', groupId: 'all-patients' });
    expect((await grouped.readPage('Encounter', null, 5)).records).toHaveLength(5);
    expect(peer.faults.count(/GET \/fhir\/R4\/Group\/all-patients\/\$export/)).toBe(1);
  });

  it('never sends the token off the server origin', async () => {
    const instance = connector();
    const foreign = JSON.stringify({ mode: 'search', since: null, next: 'https://elsewhere.example.test/fhir/R4/Patient?_offset=10', maxSeen: null });
    const error = await caught(() => instance.readPage('Patient', foreign, 5));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('FOREIGN_LINK');
  });
});
