import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { closeServer, listenLocal, readForm, sendJson, seededRandom } from '../http';
import { type PeerStarter, type RunningPeer } from '../peer';

export interface OracleFusionPeerOptions {
  port: number;
  seed?: number;
  /** Suppliers and invoices at start. */
  records?: number;
  version?: string;
  accessTokenTtlSeconds?: number;
}

type Resource = 'suppliers' | 'invoices';
type Row = Record<string, unknown> & { LastUpdateDate: string };

export interface OracleFusionPeer extends RunningPeer {
  version: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  tokenUrl: string;
  tokenCalls: number;
  ids(resource: Resource): number[];
  modify(resource: Resource, ids: number[]): void;
  /** Cancels invoices (CanceledFlag, a new LastUpdateDate). */
  cancel(ids: number[]): void;
  remove(resource: Resource, ids: number[]): void;
  expireAccessTokens(): void;
}

/** Fusion stamps rows with milliseconds and an offset: 2026-01-31T10:00:00.123+00:00. */
function fusionTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

const MAX_LIMIT = 500;

/** Fusion's REST error body (a plain-text `title` and `detail`, `o:errorCode`). */
function fusionError(status: number, title: string, detail: string): unknown {
  return { type: 'http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html', title, status, detail, 'o:errorCode': String(status) };
}

/**
 * Stand-in for Oracle Fusion Cloud Financials REST and its identity domain's token endpoint:
 * - `GET /fscmRestApi/resources/<version>/suppliers|invoices?q=LastUpdateDate>='…'&orderBy=LastUpdateDate:asc&limit (≤ 500)&offset&onlyData=true`
 *   answering `{items, count, hasMore, limit, offset, links}` (items carry `links` unless onlyData)
 * - an unknown version segment is 404; `q` accepts `LastUpdateDate>`/`>=` a quoted timestamp
 * - `POST /oauth2/v1/token` (client credentials, HTTP Basic client auth, `scope` required)
 * Faults through `/__faults` (`expiredToken` → 401).
 */
export const startOracleFusionPeer = async (options: OracleFusionPeerOptions): Promise<OracleFusionPeer> => {
  const version = options.version ?? '11.13.18.05';
  const clientId = 'fusion-client';
  const clientSecret = 'fusion-secret';
  const scope = 'urn:opc:resource:fa:instanceid=peerurn:opc:resource:consumer::all';
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const tokens = new Map<string, number>();
  const faults = new FaultInjector();
  const random = seededRandom(options.seed ?? 1);
  const tables: Record<Resource, Map<number, Row>> = { suppliers: new Map(), invoices: new Map() };
  let nextId = 300_000_000_000_001;
  const base = Date.now() - 5 * 86_400_000;
  for (let index = 0; index < (options.records ?? 0); index += 1) {
    const stamp = fusionTime(base + index * 1000);
    const supplierId = nextId++;
    tables.suppliers.set(supplierId, {
      SupplierId: supplierId,
      Supplier: `Supplier ${index}`,
      SupplierNumber: String(10_000 + index),
      Status: 'ACTIVE',
      CreationDate: stamp,
      LastUpdateDate: stamp,
    });
    const invoiceId = nextId++;
    tables.invoices.set(invoiceId, {
      InvoiceId: invoiceId,
      InvoiceNumber: `INV-${index}`,
      InvoiceAmount: Math.round(random() * 1_000_000) / 100,
      InvoiceCurrency: 'USD',
      Supplier: `Supplier ${index}`,
      CanceledFlag: false,
      CreationDate: stamp,
      LastUpdateDate: stamp,
    });
  }

  const unauthorized = (res: ServerResponse) =>
    sendJson(res, 401, fusionError(401, 'Unauthorized', 'The access token is invalid or has expired'), { 'WWW-Authenticate': 'Bearer' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await handleFaultControl(faults, req, res)) return;
    const url = new URL(req.url ?? '/', 'http://peer');
    if (url.pathname === '/__admin/state') return sendJson(res, 200, { suppliers: tables.suppliers.size, invoices: tables.invoices.size });
    const fault = await faults.before(req);
    if (fault) {
      if (fault.kind === 'expiredToken') return unauthorized(res);
      if (applyGenericFault(fault, res)) return;
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/v1/token') {
      peer.tokenCalls += 1;
      const form = await readForm(req);
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /i, ''), 'base64')
        .toString('utf8')
        .split(':');
      if (id !== clientId || secret !== clientSecret) return sendJson(res, 401, { error: 'invalid_client' });
      if (form.get('grant_type') !== 'client_credentials') return sendJson(res, 400, { error: 'unsupported_grant_type' });
      if (form.get('scope') !== scope) return sendJson(res, 400, { error: 'invalid_scope' });
      const token = `fusion-${randomBytes(16).toString('base64url')}`;
      tokens.set(token, Date.now() + ttl * 1000);
      return sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: ttl });
    }
    const match = /^\/fscmRestApi\/resources\/([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return sendJson(res, 404, fusionError(404, 'Not Found', `No resource at ${url.pathname}`));
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !((tokens.get(bearer) ?? 0) > Date.now())) return unauthorized(res);
    if (match[1] !== version) return sendJson(res, 404, fusionError(404, 'Not Found', `Version ${match[1]} is not available`));
    const resource = match[2] as Resource;
    if (!(resource in tables) || req.method !== 'GET') return sendJson(res, 404, fusionError(404, 'Not Found', `Unknown resource ${resource}`));
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT || !Number.isInteger(offset) || offset < 0)
      return sendJson(res, 400, fusionError(400, 'Bad Request', `limit must be 1–${MAX_LIMIT} and offset at least 0`));
    let rows = [...tables[resource].values()];
    const q = url.searchParams.get('q');
    if (q) {
      const condition = /^LastUpdateDate\s*(>=?)\s*['"]?([^'"]+)['"]?$/.exec(q);
      const since = condition ? Date.parse(condition[2]!) : Number.NaN;
      if (!condition || Number.isNaN(since)) return sendJson(res, 400, fusionError(400, 'Bad Request', `The q parameter ${q} is not valid`));
      rows = rows.filter((row) => (condition[1] === '>=' ? Date.parse(row.LastUpdateDate) >= since : Date.parse(row.LastUpdateDate) > since));
    }
    if (url.searchParams.get('orderBy') === 'LastUpdateDate:asc') rows.sort((a, b) => Date.parse(a.LastUpdateDate) - Date.parse(b.LastUpdateDate));
    const onlyData = url.searchParams.get('onlyData') === 'true';
    const page = rows
      .slice(offset, offset + limit)
      .map((row) => (onlyData ? row : { ...row, links: [{ rel: 'self', href: `${url.pathname}/${String(Object.values(row)[0])}` }] }));
    sendJson(res, 200, {
      items: page,
      count: page.length,
      hasMore: offset + page.length < rows.length,
      limit,
      offset,
      links: [{ rel: 'self', href: `${url.pathname}${url.search}`, name: resource, kind: 'collection' }],
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, fusionError(500, 'Internal Server Error', 'peer failure'));
      console.error('oracle fusion peer:', error);
    });
  });
  const { url, port } = await listenLocal(server, options.port);
  const touch = (row: Row) => {
    row.LastUpdateDate = fusionTime(Date.now());
  };
  const peer: OracleFusionPeer = {
    url,
    port,
    faults,
    version,
    clientId,
    clientSecret,
    scope,
    tokenUrl: `${url}/oauth2/v1/token`,
    tokenCalls: 0,
    info: { baseUrl: url, version, tokenUrl: `${url}/oauth2/v1/token`, clientId, clientSecret, scope },
    ids: (resource) => [...tables[resource].keys()],
    modify(resource, ids) {
      for (const id of ids) {
        const row = tables[resource].get(id);
        if (row) {
          touch(row);
          row[resource === 'suppliers' ? 'Supplier' : 'InvoiceNumber'] = `${String(row[resource === 'suppliers' ? 'Supplier' : 'InvoiceNumber'])} (changed)`;
        }
      }
    },
    cancel(ids) {
      for (const id of ids) {
        const row = tables.invoices.get(id);
        if (row) {
          row.CanceledFlag = true;
          touch(row);
        }
      }
    },
    remove(resource, ids) {
      for (const id of ids) tables[resource].delete(id);
    },
    expireAccessTokens() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    stop: () => closeServer(server),
  };
  return peer;
};

export const oracleFusionPeer: PeerStarter = (options) => startOracleFusionPeer(options as OracleFusionPeerOptions);
