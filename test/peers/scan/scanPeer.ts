import { createHash, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import {
  MAX_BATCH_ITEMS,
  MAX_LIST_LIMIT,
  scanItemSchema,
  type ScanFinding,
  type ScanItem,
  type ScanRecord,
  type ScanResult,
} from '../../../connectors/scan/schemas';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { bearerToken, readText, sendJson } from '../http';
import { type RunningPeer } from '../peer';

/**
 * The batch medical scan provider (contract: connectors/scan/scanProtocol.ts) on 127.0.0.1.
 * Results are deterministic per item (a hash of the medication / NDC decides the finding);
 * per-item failures are injected with `failItem` (a predicate) or `POST /__item-faults`
 * `{ "ids": [...] }` / `{ "everyNth": 100 }`; whole-request faults through the shared injector.
 */
export interface ScanPeerOptions {
  port: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

export interface RunningScanPeer extends RunningPeer {
  /** Items that fail with PROVIDER_ERROR (decided per item id). */
  failItem: (item: ScanItem) => boolean;
  /** Every scan the provider holds, by scanId. */
  scans: Map<string, ScanRecord>;
  /** Items scanned (idempotent replays not counted). */
  scannedItems(): number;
  /** Re-adjudicates a scan (new finding, new updatedAt). */
  readjudicate(scanId: string): void;
  /** Purges a scan (retention): it is listed as a deleted tombstone. */
  purge(scanId: string): void;
}

const RISKS = ['none', 'low', 'moderate', 'high'] as const;

export function scanFinding(item: ScanItem, revision = 0): ScanFinding {
  const key = (item.ndc ?? item.medication ?? '').toLowerCase();
  const digest = createHash('sha256').update(`${key}#${revision}`).digest();
  return {
    normalizedName: (item.medication ?? `NDC ${item.ndc}`).trim().toUpperCase(),
    ndc: item.ndc ?? null,
    rxcui: String(100000 + (digest.readUInt32BE(0) % 900000)),
    interactionRisk: RISKS[digest[4]! % RISKS.length]!,
    flags: digest[5]! % 7 === 0 ? ['duplicate-therapy'] : [],
  };
}

export async function startScanPeer(options: ScanPeerOptions): Promise<RunningScanPeer> {
  const faults = new FaultInjector();
  const scans = new Map<string, ScanRecord>();
  const items = new Map<string, ScanItem>();
  const replies = new Map<string, unknown>();
  const failingIds = new Set<string>();
  let everyNth = 0;
  let scanned = 0;
  let clock = Date.now();
  const stamp = () => new Date((clock = Math.max(clock + 1, Date.now()))).toISOString();

  const peer = {
    failItem: (item: ScanItem) => failingIds.has(item.id) || (everyNth > 0 && Number(/(\d+)$/.exec(item.id)?.[1] ?? -1) % everyNth === 0),
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: (error as Error).message } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await handleFaultControl(faults, req, res)) return;
    const url = new URL(req.url ?? '/', 'http://peer');
    if (req.method === 'POST' && url.pathname === '/__item-faults') {
      const body = JSON.parse((await readText(req)) || '{}') as { ids?: string[]; everyNth?: number };
      for (const id of body.ids ?? []) failingIds.add(id);
      if (body.everyNth !== undefined) everyNth = body.everyNth;
      return sendJson(res, 201, { failing: failingIds.size, everyNth });
    }
    const fault = await faults.before(req);
    if (fault?.kind === 'expiredToken') return sendJson(res, 401, { error: { code: 'token_expired', message: 'The API key has expired' } });
    if (fault && applyGenericFault(fault, res)) return;
    if (options.apiKey && bearerToken(req) !== options.apiKey)
      return sendJson(res, 401, { error: { code: 'unauthorized', message: 'A valid API key is required' } });

    if (req.method === 'GET' && url.pathname === '/v1/health') return sendJson(res, 200, { status: 'ok', provider: 'hub-scan-peer', version: '1.0' });
    if (req.method === 'POST' && url.pathname === '/v1/scans') return submit(req, res);
    if (req.method === 'GET' && url.pathname === '/v1/scans') return list(url.searchParams, res);
    return sendJson(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${url.pathname}` } });
  }

  async function submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const key = String(req.headers['idempotency-key'] ?? '');
    if (key && replies.has(key)) return sendJson(res, 200, replies.get(key), { 'Idempotent-Replayed': 'true' });
    const body = JSON.parse((await readText(req)) || '{}') as { items?: unknown[] };
    if (!Array.isArray(body.items) || body.items.length === 0 || body.items.length > MAX_BATCH_ITEMS) {
      return sendJson(res, 400, { error: { code: 'invalid_batch', message: `items must hold 1 to ${MAX_BATCH_ITEMS} items` } });
    }
    const batchId = `batch_${randomUUID()}`;
    const results: ScanResult[] = body.items.map((raw) => {
      const parsed = scanItemSchema.safeParse(raw);
      const id = String((raw as { id?: unknown })?.id ?? '');
      if (!parsed.success) return { id, status: 'error', error: { code: 'INVALID_ITEM', message: parsed.error.issues[0]?.message ?? 'invalid item' } };
      scanned += 1;
      const item = parsed.data;
      const scanId = `scan_${randomUUID()}`;
      const failed = peer.failItem(item);
      const record: ScanRecord = {
        scanId,
        itemId: item.id,
        batchId,
        status: failed ? 'error' : 'ok',
        patientRef: item.patientRef ?? null,
        result: failed ? null : scanFinding(item),
        error: failed ? { code: 'PROVIDER_ERROR', message: 'the provider could not scan this item' } : null,
        updatedAt: stamp(),
      };
      scans.set(scanId, record);
      items.set(scanId, item);
      return failed ? { id: item.id, status: 'error', scanId, error: record.error! } : { id: item.id, status: 'ok', scanId, result: record.result! };
    });
    const reply = { batchId, results };
    if (key) replies.set(key, reply);
    sendJson(res, 200, reply);
  }

  function list(params: URLSearchParams, res: ServerResponse): void {
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Number(params.get('limit') ?? 100)));
    const since = params.get('updatedSince');
    const after = params.get('after') ?? '';
    const includeDeleted = params.get('includeDeleted') === 'true';
    const matching = [...scans.values()]
      .filter((scan) => (includeDeleted || !scan.deleted) && (!since || scan.updatedAt > since || (scan.updatedAt === since && scan.scanId > after)))
      .sort((a, b) => (a.updatedAt === b.updatedAt ? (a.scanId < b.scanId ? -1 : 1) : a.updatedAt < b.updatedAt ? -1 : 1));
    sendJson(res, 200, { data: matching.slice(0, limit), hasMore: matching.length > limit });
  }

  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    info: { endpoint: `http://127.0.0.1:${port}`, ...(options.apiKey ? { apiKey: options.apiKey } : {}) },
    get failItem() {
      return peer.failItem;
    },
    set failItem(predicate: (item: ScanItem) => boolean) {
      peer.failItem = predicate;
    },
    scans,
    scannedItems: () => scanned,
    readjudicate(scanId) {
      const scan = scans.get(scanId);
      if (!scan || scan.deleted) throw new Error(`no scan ${scanId}`);
      Object.assign(scan, { status: 'ok', error: null, result: scanFinding(items.get(scanId)!, 1), updatedAt: stamp() });
    },
    purge(scanId) {
      const scan = scans.get(scanId);
      if (!scan) throw new Error(`no scan ${scanId}`);
      scans.set(scanId, {
        scanId,
        itemId: scan.itemId,
        batchId: scan.batchId,
        status: scan.status,
        patientRef: null,
        result: null,
        error: null,
        updatedAt: stamp(),
        deleted: true,
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
