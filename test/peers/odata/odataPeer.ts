import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { closeServer, listenLocal, readJson, seededRandom, sendJson } from '../http';
import { type PeerStarter, type RunningPeer } from '../peer';
import { ERP_ENTITY_SETS, ERP_NAMESPACE, ERP_SERVICE_PATH, type ErpEntitySet, erpModelSource } from './erpModel';

export interface ODataPeerOptions {
  port: number;
  seed?: number;
  /** Rows generated per entity set at start, last modified over the past day. */
  records?: number;
  /** Server page size of server-driven paging (default 1000, CAP's default). */
  pageSize?: number;
  username?: string;
  password?: string;
  bearerToken?: string;
}

/** A running OData peer with handles for tests. */
export interface ODataPeer extends RunningPeer {
  /** Service root, e.g. http://127.0.0.1:1234/odata/v4/erp */
  serviceUrl: string;
  username: string;
  password: string;
  bearerToken: string;
  /** Inserts `count` generated rows modified between `fromMs` and `toMs`; returns their IDs. */
  seed(entitySet: ErpEntitySet, count: number, fromMs?: number, toMs?: number): Promise<number[]>;
  /** Changes rows now (new `modifiedAt`), or stamped `atMs` (a change committed later than its stamp). */
  modify(entitySet: ErpEntitySet, ids: number[], atMs?: number): Promise<void>;
  /** Marks rows deleted now (`deletedAt` and `modifiedAt` set), as a soft-deleting ERP does. */
  softDelete(entitySet: ErpEntitySet, ids: number[]): Promise<void>;
  /** Removes rows outright: OData has no tombstone for these. */
  hardDelete(entitySet: ErpEntitySet, ids: number[]): Promise<void>;
  /** IDs of rows not deleted, ascending. */
  liveIds(entitySet: ErpEntitySet): Promise<number[]>;
}

/**
 * The parts of @sap/cds the peer uses. Its official typings (@cap-js/cds-types) require the whole
 * @sap/cds-dk toolkit as a peer dependency, which a test peer does not justify.
 */
interface CqlQuery extends PromiseLike<unknown> {
  where(condition: Record<string, unknown>): CqlQuery;
  set(values: Record<string, unknown>): CqlQuery;
  columns(...names: string[]): CqlQuery;
  orderBy(...names: string[]): CqlQuery;
  entries(rows: Record<string, unknown>[]): CqlQuery;
}
interface CdsRuntime {
  env: { requires: Record<string, unknown>; query: { limit: Record<string, unknown> } };
  model: unknown;
  log(id: string, level: string): unknown;
  compile(source: string): unknown;
  linked(model: unknown): unknown;
  connect: { to(name: string): Promise<unknown> };
  deploy(model: unknown, options?: { silent?: boolean }): { to(db: unknown): Promise<unknown> };
  serve(what: string): { from(model: unknown): { in(app: express.Express): Promise<unknown> } };
  disconnect?(): Promise<void>;
  ql: {
    INSERT: { into(entity: string): CqlQuery };
    UPDATE: (entity: string) => CqlQuery;
    DELETE: { from(entity: string): CqlQuery };
    SELECT: { from(entity: string): CqlQuery };
  };
}

// @sap/cds keeps its model, database and services in one process-wide object.
let active = false;

/**
 * A real OData v4 service: SAP CAP (`@sap/cds` 9) serving the ERP model of ./erpModel.ts from an
 * in-memory SQLite database (`@cap-js/sqlite` with the sql.js driver: WebAssembly, no native build).
 * `$metadata`, `$filter`, `$orderby`, `$top`/`$skip`, `$count` and server-driven paging with
 * `@odata.nextLink` (CAP's "reliable paging" skiptokens) are CAP's own. In front of it: Basic or
 * Bearer authentication, fault injection (`/__faults`) and `/__admin/*` to seed, modify and delete.
 * One OData peer per process (CAP's runtime is a process-wide singleton).
 */
export const startODataPeer = async (options: ODataPeerOptions): Promise<ODataPeer> => {
  if (active) throw new Error('one OData peer per process: @sap/cds is a process-wide singleton');
  active = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on start: CAP reads its environment at load time
  const cds = require('@sap/cds') as CdsRuntime;
  const { INSERT, UPDATE, DELETE, SELECT } = cds.ql;
  for (const logger of ['cds', 'odata', 'deploy', 'serve', 'sqlite', 'db', 'app']) cds.log(logger, 'error');
  cds.env.requires.db = { kind: 'sqlite', impl: '@cap-js/sqlite', credentials: { url: ':memory:', driver: 'sql.js' } };
  cds.env.requires.auth = { kind: 'dummy' };
  cds.env.query.limit.reliablePaging = true;

  const username = options.username ?? 'erp-user';
  const password = options.password ?? 'erp-password';
  const bearerToken = options.bearerToken ?? 'erp-bearer-token';
  const random = seededRandom(options.seed ?? 1);
  const faults = new FaultInjector();

  const model = cds.compile(erpModelSource(options.pageSize ?? 1000));
  cds.model = cds.linked(model);
  const db = await cds.connect.to('db');
  await cds.deploy(model, { silent: true }).to(db);
  const table = (entitySet: ErpEntitySet) => `${ERP_NAMESPACE}.${entitySet}`;
  const nextId: Record<ErpEntitySet, number> = { BusinessPartners: 1, SalesOrders: 1 };

  const seed = async (entitySet: ErpEntitySet, count: number, fromMs = Date.now() - 24 * 3600_000, toMs = Date.now() - 60_000): Promise<number[]> => {
    const rows: Record<string, unknown>[] = [];
    for (let index = 0; index < count; index += 1) {
      const id = nextId[entitySet]++;
      const modifiedAt = new Date(Math.floor(fromMs + ((toMs - fromMs) * index) / Math.max(1, count))).toISOString();
      rows.push(
        entitySet === 'BusinessPartners'
          ? {
              ID: id,
              name: `Partner ${id}`,
              city: ['Walldorf', 'Berlin', 'Paris', 'Austin'][id % 4],
              country: ['DE', 'DE', 'FR', 'US'][id % 4],
              email: `partner${id}@erp.test`,
              modifiedAt,
              deletedAt: null,
            }
          : {
              ID: id,
              orderNumber: `SO-${String(id).padStart(7, '0')}`,
              partner_ID: 1 + Math.floor(random() * Math.max(1, nextId.BusinessPartners - 1)),
              netAmount: Math.round(random() * 10_000_000) / 100,
              currency: 'EUR',
              status: 'OPEN',
              modifiedAt,
              deletedAt: null,
            },
      );
    }
    for (let start = 0; start < rows.length; start += 1000) await INSERT.into(table(entitySet)).entries(rows.slice(start, start + 1000));
    return rows.map((row) => row.ID as number);
  };
  const modify = async (entitySet: ErpEntitySet, ids: number[], atMs?: number) => {
    const now = new Date(atMs ?? Date.now()).toISOString();
    const change = entitySet === 'BusinessPartners' ? { city: 'Changed City', modifiedAt: now } : { status: 'CHANGED', modifiedAt: now };
    await UPDATE(table(entitySet))
      .set(change)
      .where({ ID: { in: ids } });
  };
  const softDelete = async (entitySet: ErpEntitySet, ids: number[]) => {
    const now = new Date().toISOString();
    await UPDATE(table(entitySet))
      .set({ deletedAt: now, modifiedAt: now })
      .where({ ID: { in: ids } });
  };
  const hardDelete = async (entitySet: ErpEntitySet, ids: number[]) => {
    await DELETE.from(table(entitySet)).where({ ID: { in: ids } });
  };
  const liveIds = async (entitySet: ErpEntitySet) =>
    ((await SELECT.from(table(entitySet)).columns('ID').where({ deletedAt: null }).orderBy('ID')) as Array<{ ID: number }>).map((row) => row.ID);

  for (const entitySet of ERP_ENTITY_SETS) if (options.records) await seed(entitySet, options.records);

  const app = express();
  app.use(async (req, res, next) => {
    try {
      if (await handleFaultControl(faults, req, res)) return;
      if (req.path.startsWith('/__admin/')) return await admin(req, res);
      const fault = await faults.before(req);
      if (fault?.kind === 'expiredToken') return odataError(res, 401, 'Unauthorized', 'The access token expired');
      if (
        fault &&
        applyGenericFault(fault.kind === 'status' ? { ...fault, body: fault.body ?? odataErrorBody(fault.status, 'Forced by the peer') } : fault, res)
      )
        return;
      if (!authorized(req.headers.authorization)) {
        res.setHeader('WWW-Authenticate', 'Basic realm="ERP", Bearer');
        return odataError(res, 401, 'Unauthorized', 'Authentication required');
      }
      next();
    } catch (error) {
      next(error);
    }
  });
  await cds.serve('all').from(model).in(app);
  app.use((error: Error & { statusCode?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (!res.headersSent) odataError(res, error.statusCode ?? 500, String(error.statusCode ?? 500), error.message);
  });

  const authorized = (header: string | undefined): boolean => {
    const [scheme, value] = (header ?? '').split(' ');
    if (scheme?.toLowerCase() === 'bearer') return value === bearerToken;
    if (scheme?.toLowerCase() === 'basic') return Buffer.from(value ?? '', 'base64').toString('utf8') === `${username}:${password}`;
    return false;
  };

  const admin = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = req.method === 'POST' ? await readJson<{ entitySet?: ErpEntitySet; ids?: number[]; count?: number }>(req) : {};
    const entitySet = body.entitySet ?? 'BusinessPartners';
    if (!ERP_ENTITY_SETS.includes(entitySet)) return sendJson(res, 400, { error: `unknown entity set ${entitySet}` });
    const ids = body.ids ?? (await liveIds(entitySet)).slice(0, body.count ?? 1);
    switch (new URL(req.url ?? '/', 'http://peer').pathname) {
      case '/__admin/seed':
        return sendJson(res, 200, { ids: await seed(entitySet, body.count ?? 1, Date.now() - 60_000, Date.now()) });
      case '/__admin/modify':
        await modify(entitySet, ids);
        return sendJson(res, 200, { ids });
      case '/__admin/soft-delete':
        await softDelete(entitySet, ids);
        return sendJson(res, 200, { ids });
      case '/__admin/hard-delete':
        await hardDelete(entitySet, ids);
        return sendJson(res, 200, { ids });
      default:
        return sendJson(res, 404, { error: 'unknown admin route' });
    }
  };

  const server = createServer(app);
  const { url, port } = await listenLocal(server, options.port);
  return {
    url,
    port,
    faults,
    serviceUrl: `${url}${ERP_SERVICE_PATH}`,
    username,
    password,
    bearerToken,
    seed,
    modify,
    softDelete,
    hardDelete,
    liveIds,
    async stop() {
      await closeServer(server);
      await cds.disconnect?.().catch(() => undefined);
      active = false;
    },
  };
};

function odataErrorBody(status: number, message: string): Record<string, unknown> {
  return { error: { code: String(status), message } };
}

function odataError(res: ServerResponse, status: number, _code: string, message: string): void {
  sendJson(res, status, odataErrorBody(status, message), { 'OData-Version': '4.0' });
}

export const odataPeer: PeerStarter = (options) => startODataPeer(options as ODataPeerOptions);
