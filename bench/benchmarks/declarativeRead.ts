import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createConnectorNetwork } from '../../connectors/network';
import { findConnector } from '../../connectors/registry';
import { type ConnectorInstance } from '../../connectors/types';
import { createLogger } from '../../platform/logger';
import { type Benchmark, projectRoot, stopChild } from '../harness';

const RECORDS = Number(process.env.BENCH_DECLARATIVE_RECORDS ?? 50_000);
/** Sage answers at most 200 items per page. */
const PAGE = 200;
const ROUNDS = 3;

/**
 * Declarative connector overhead: the shipped Sage definition (expression rendering, auth, the
 * guarded network, record selection by pointer, cursor bookkeeping) reading 50,000 contacts from
 * the Sage peer in its own process, against plain fetch() + JSON.parse following the same `$next`
 * pages with the same headers. Target: the connector at ≥ 0.8 of the baseline's throughput.
 */
export const declarativeRead: Benchmark = {
  name: 'declarativeRead',
  description: `${RECORDS} Sage contacts through the shipped declarative definition vs plain fetch of the same ${PAGE}-item pages (median of ${ROUNDS} after a warm-up)`,
  async run(context) {
    const peer = await startPeer();
    try {
      const credentials = (await (await fetch(`${peer.url}/__admin/credentials`, { method: 'POST' })).json()) as Record<string, string>;
      const connector = sageInstance(peer.url, credentials);
      const baseline = async () => {
        let count = 0;
        let next: string | null = `/contacts?attributes=all&items_per_page=${PAGE}`;
        while (next) {
          const response = await fetch(`${peer.url}/v3.1${next}`, {
            headers: { Authorization: `Bearer ${credentials.accessToken}`, 'X-Business': credentials.businessId!, Accept: 'application/json' },
          });
          if (!response.ok) throw new Error(`baseline: HTTP ${response.status}`);
          const body = (await response.json()) as { $items: unknown[]; $next: string | null };
          count += body.$items.length;
          next = body.$next;
        }
        return count;
      };
      const read = async () => {
        let cursor: string | null = null;
        let count = 0;
        for (;;) {
          const page = await connector.readPage('contacts', cursor, PAGE);
          count += page.records.length;
          cursor = page.nextCursor;
          if (page.done) return count;
        }
      };
      const baselineTimes: number[] = [];
      const connectorTimes: number[] = [];
      const runBaseline = async () => baselineTimes.push(await timed(baseline));
      const runConnector = async () => connectorTimes.push(await timed(read));
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
      context.log(
        `declarativeRead: baseline ${base.toFixed(0)} ms, declarative ${measured.toFixed(0)} ms (rounds: ${baselineTimes.map(Math.round).join('/')} vs ${connectorTimes.map(Math.round).join('/')})`,
      );
      return {
        measurements: [
          { label: 'plain fetch', metrics: { ms: base, 'records/s': (RECORDS * 1000) / base } },
          { label: 'declarative sage-accounting', metrics: { ms: measured, 'records/s': (RECORDS * 1000) / measured } },
        ],
        ratios: [{ name: 'declarative / plain fetch throughput (target ≥ 0.8)', value: base / measured }],
        notes: ['the peer runs in a separate process on 127.0.0.1; times include it serving each page'],
      };
    } finally {
      await stopChild(peer.child);
    }
  },
};

function sageInstance(url: string, credentials: Record<string, string>): ConnectorInstance {
  const definition = findConnector('sage-accounting')!;
  let current: unknown = {
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    accessToken: credentials.accessToken,
    refreshToken: credentials.refreshToken,
  };
  return definition.create({
    tenantId: '00000000-0000-4000-8000-00000000beef',
    connectorId: 'bench-declarative',
    config: definition.configSchema.parse({ businessId: credentials.businessId, baseUrl: `${url}/v3.1`, tokenUrl: `${url}/token` }),
    credentials: definition.credentialsSchema.parse(current),
    network: createConnectorNetwork({ allowPrivateNetwork: true }),
    logger: createLogger({ name: 'bench', level: 'warn' }),
    updateCredentials: async (next) => {
      current = next;
    },
    loadCredentials: async () => current,
    withConnectorLock: (_key, fn) => fn(),
  });
}

async function timed(fn: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const count = await fn();
  if (count !== RECORDS) throw new Error(`declarativeRead: read ${count} records, expected ${RECORDS}`);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function startPeer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'test/peers/cli.ts'), 'sage', '--port', '0', '--records', String(RECORDS)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sage peer not ready: ${output.slice(-500)}`)), 120_000);
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
    child.once('exit', (code) => reject(new Error(`sage peer exited ${code}: ${output.slice(-500)}`)));
  });
  child.removeAllListeners('exit');
  return { url, child };
}
