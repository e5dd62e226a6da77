import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fhirConnector } from '../../connectors/fhir';
import { createConnectorNetwork } from '../../connectors/network';
import { odataConnector } from '../../connectors/odata';
import { quickbooksConnector } from '../../connectors/quickbooks';
import { type ConnectorDefinition, type ConnectorInstance } from '../../connectors/types';
import { createLogger } from '../../platform/logger';
import { type Benchmark, type Measurement, projectRoot, stopChild } from '../harness';

const RECORDS = 5_000;
const PAGE = 1_000;
const ROUNDS = 5;

interface Case {
  name: string;
  peer: string;
  stream: string;
  /** Builds the connector and the plain-fetch baseline reading the same pages. */
  prepare(url: string): Promise<{ connector: ConnectorInstance; baseline: () => Promise<number> }>;
}

/**
 * Connector read overhead: a full read of 5,000 records through each connector (official client
 * library, guarded network, cursor handling, record mapping) against a baseline that fetches the
 * same pages from the same peer with plain fetch() and JSON.parse. Peers run in their own process.
 */
export const connectorReads: Benchmark = {
  name: 'connectorReads',
  description: `full read of ${RECORDS} records, page ${PAGE}: quickbooks, odata, fhir connectors vs plain fetch of the same pages (median of ${ROUNDS} after a warm-up)`,
  async run(context) {
    const measurements: Measurement[] = [];
    const ratios: Array<{ name: string; value: number }> = [];
    for (const benchCase of CASES) {
      const peer = await startPeer(benchCase.peer);
      try {
        const { connector, baseline } = await benchCase.prepare(peer.url);
        const connectorTimes: number[] = [];
        const baselineTimes: number[] = [];
        const runBaseline = async () => baselineTimes.push(await timed(async () => expectCount(await baseline(), benchCase.name)));
        const runConnector = async () => connectorTimes.push(await timed(async () => expectCount(await readAll(connector, benchCase.stream), benchCase.name)));
        // Warm-up (peer and client JIT, connection pools), then alternate which goes first.
        await runBaseline();
        await runConnector();
        baselineTimes.length = 0;
        connectorTimes.length = 0;
        for (let round = 0; round < ROUNDS; round += 1) {
          if (round % 2 === 0) {
            await runBaseline();
            await runConnector();
          } else {
            await runConnector();
            await runBaseline();
          }
        }
        const base = median(baselineTimes);
        const measured = median(connectorTimes);
        context.log(`connectorReads: ${benchCase.name} baseline ${base.toFixed(0)} ms, connector ${measured.toFixed(0)} ms`);
        measurements.push({ label: `${benchCase.name}: plain fetch`, metrics: { 'ms / 5k': base, 'records/s': (RECORDS * 1000) / base } });
        measurements.push({ label: `${benchCase.name}: connector`, metrics: { 'ms / 5k': measured, 'records/s': (RECORDS * 1000) / measured } });
        ratios.push({ name: `${benchCase.name} connector / plain fetch time`, value: measured / base });
      } finally {
        await stopChild(peer.child);
      }
    }
    return { measurements, ratios, notes: ['peers run in a separate process on 127.0.0.1; times include the peer serving each page'] };
  },
};

const CASES: Case[] = [
  {
    name: 'quickbooks',
    peer: 'quickbooks',
    stream: 'Customer',
    async prepare(url) {
      const credentials = (await (await fetch(`${url}/__admin/credentials`, { method: 'POST' })).json()) as Record<string, string>;
      const connector = instance(quickbooksConnector, { realmId: credentials.realmId, baseUrl: url, tokenUrl: `${url}/oauth2/v1/tokens/bearer` }, credentials);
      const baseline = async () => {
        let count = 0;
        for (let position = 1; ; position += PAGE) {
          const query = encodeURIComponent(`select * from Customer orderby Id asc startposition ${position} maxresults ${PAGE}`);
          const body = (await getJson(
            `${url}/v3/company/${credentials.realmId}/query?query=${query}&minorversion=75`,
            `Bearer ${credentials.accessToken}`,
          )) as { QueryResponse: { Customer?: unknown[] } };
          const rows = body.QueryResponse.Customer ?? [];
          count += rows.length;
          if (rows.length < PAGE) return count;
        }
      };
      return { connector, baseline };
    },
  },
  {
    name: 'odata',
    peer: 'odata',
    stream: 'BusinessPartners',
    async prepare(url) {
      const serviceUrl = `${url}/odata/v4/erp`;
      const connector = instance(odataConnector, { serviceUrl, entitySets: ['BusinessPartners'] }, { username: 'erp-user', password: 'erp-password' });
      const authorization = `Basic ${Buffer.from('erp-user:erp-password').toString('base64')}`;
      const baseline = async () => {
        let count = 0;
        let next: string | undefined = `${serviceUrl}/BusinessPartners?$orderby=${encodeURIComponent('modifiedAt asc,ID asc')}`;
        while (next) {
          const body = (await getJson(next, authorization)) as { value: unknown[]; '@odata.nextLink'?: string };
          count += body.value.length;
          next = body['@odata.nextLink'] ? new URL(body['@odata.nextLink'], `${serviceUrl}/`).toString() : undefined;
        }
        return count;
      };
      return { connector, baseline };
    },
  },
  {
    name: 'fhir',
    peer: 'fhir',
    stream: 'Patient',
    async prepare(url) {
      const { bearerToken } = (await (await fetch(`${url}/__admin/static-token`, { method: 'POST' })).json()) as { bearerToken: string };
      const baseUrl = `${url}/fhir/R4`;
      const connector = instance(fhirConnector, { baseUrl }, { bearerToken });
      const baseline = async () => {
        let count = 0;
        let next: string | undefined = `${baseUrl}/Patient?_sort=_lastUpdated&_count=${PAGE}`;
        while (next) {
          const body = (await getJson(next, `Bearer ${bearerToken}`)) as { entry?: unknown[]; link?: Array<{ relation: string; url: string }> };
          count += body.entry?.length ?? 0;
          next = body.link?.find((link) => link.relation === 'next')?.url;
        }
        return count;
      };
      return { connector, baseline };
    },
  },
];

function instance(definition: ConnectorDefinition, config: unknown, credentials: unknown): ConnectorInstance {
  let current = credentials;
  let lock = Promise.resolve();
  return definition.create({
    tenantId: '00000000-0000-4000-8000-00000000beef',
    connectorId: `bench-${definition.type}`,
    config: definition.configSchema.parse(config),
    credentials: definition.credentialsSchema.parse(credentials),
    network: createConnectorNetwork({ allowPrivateNetwork: true }),
    logger: createLogger({ name: 'bench', level: 'warn' }),
    updateCredentials: async (next) => {
      current = next;
    },
    loadCredentials: async () => current,
    // One process: an in-memory lock stands in for the advisory lock.
    withConnectorLock: <T>(_key: string, fn: () => Promise<T>) => {
      const run = lock.then(fn);
      lock = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
  });
}

async function readAll(connector: ConnectorInstance, stream: string): Promise<number> {
  let cursor: string | null = null;
  let count = 0;
  for (;;) {
    const page = await connector.readPage(stream, cursor, PAGE);
    count += page.records.length;
    cursor = page.nextCursor;
    if (page.done) return count;
  }
}

async function getJson(url: string, authorization: string): Promise<unknown> {
  const response = await fetch(url, { headers: { Authorization: authorization, Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function expectCount(count: number, name: string): void {
  if (count !== RECORDS) throw new Error(`${name}: read ${count} records, expected ${RECORDS}`);
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function startPeer(name: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'test/peers/cli.ts'), name, '--port', '0', '--records', String(RECORDS)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} peer not ready: ${output.slice(-500)}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} peer exited ${code}: ${output.slice(-500)}`)));
  });
  child.removeAllListeners('exit');
  return { url, child };
}
