import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getStatus, parseSearchRequest } from '@medplum/core';
import { FhirRouter, type HttpMethod, MemoryRepository } from '@medplum/fhir-router';
import { type Bundle, type OperationOutcome, type Resource, type ResourceType } from '@medplum/fhirtypes';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { closeServer, listenLocal, readBody, readForm, readJson, sendJson } from '../http';
import { type PeerStarter, type RunningPeer } from '../peer';
import { BulkExports } from './bulkExports';
import { CLINICAL_TYPES, ClinicalDataGenerator, type ClinicalType } from './clinicalData';
import { loadFhirDefinitions } from './fhirDefinitions';
import { SmartTokenService } from './smartTokenService';

export interface FhirPeerOptions {
  port: number;
  seed?: number;
  /** Resources generated per type (Patient, Encounter, Observation, MedicationRequest), last updated over the past day. */
  records?: number;
  /** Lifetime of issued access tokens. */
  tokenTtlSeconds?: number;
  /** Resources per NDJSON file of an export. */
  exportFileSize?: number;
  /** How long an export takes before its manifest is ready. */
  exportDelayMs?: number;
  /** Retry-After (seconds) on status polls of a running export. */
  exportRetryAfterSeconds?: number;
  /** Largest `_count` honoured (default 1000). */
  maxCount?: number;
}

/** A running FHIR peer with handles for tests. */
export interface FhirPeer extends RunningPeer {
  /** FHIR base URL (`…/fhir/R4`). */
  baseUrl: string;
  tokenUrl: string;
  repo: MemoryRepository;
  auth: SmartTokenService;
  exports: BulkExports;
  /** Creates `count` resources, last updated over the past minute, or spread from `fromMs` to `toMs` (a late commit when in the past). */
  seed(type: ClinicalType, count: number, fromMs?: number, toMs?: number): Promise<string[]>;
  /** Updates resources now (new meta.lastUpdated and versionId). */
  modify(type: ClinicalType, ids: string[]): Promise<void>;
  /** Deletes resources (remembered for `$export` `deleted` output). */
  remove(type: ClinicalType, ids: string[]): Promise<void>;
  /** Ids of `type` in lastUpdated order. */
  ids(type: ClinicalType): Promise<string[]>;
}

/** MemoryRepository that remembers deletions (for Bulk Data `deleted` output). */
class TombstoningRepository extends MemoryRepository {
  readonly deletions: Array<{ resourceType: string; id: string; at: number }> = [];
  override async deleteResource(resourceType: string, id: string): Promise<void> {
    await super.deleteResource(resourceType, id);
    this.deletions.push({ resourceType, id, at: Date.now() });
  }
}

const FHIR_JSON = 'application/fhir+json';

/**
 * A FHIR R4 server: `@medplum/fhir-router` (search, read, CRUD, history) over its in-memory
 * repository, behind a small HTTP wrapper that adds what the router leaves to a server:
 * - `next`/`self` paging links on searchsets (`_count` / `_offset`), `fullUrl`s;
 * - `GET /metadata` (CapabilityStatement with SMART oauth-uris) and `GET /.well-known/smart-configuration`;
 * - `POST /oauth2/token`: SMART Backend Services token endpoint verifying the JWT assertion (jose);
 * - Bulk Data `$export` (system, Patient, Group): kick-off with `Prefer: respond-async` → 202 +
 *   Content-Location; status polls answer 202 + Retry-After until the manifest is ready; NDJSON files;
 * - bearer-token checks, fault injection (`/__faults`) and `/__admin/*` (seed, modify, delete, register clients).
 */
export const startFhirPeer = async (options: FhirPeerOptions): Promise<FhirPeer> => {
  loadFhirDefinitions();
  const repo = new TombstoningRepository();
  const router = new FhirRouter();
  const generator = new ClinicalDataGenerator(options.seed ?? 1);
  const faults = new FaultInjector();
  const exports = new BulkExports(options.exportFileSize ?? 1000, options.exportDelayMs ?? 1500);
  const retryAfterSeconds = options.exportRetryAfterSeconds ?? 1;
  const maxCount = options.maxCount ?? 1000;
  // Filled in once listening (the token endpoint URL is the JWT audience).
  let base = '';
  const auth = new SmartTokenService(options.tokenTtlSeconds ?? 300);

  const seed = async (type: ClinicalType, count: number, fromMs = Date.now() - 24 * 3600_000, toMs = Date.now() - 60_000): Promise<string[]> => {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const lastUpdated = new Date(Math.floor(fromMs + ((toMs - fromMs) * index) / Math.max(1, count))).toISOString();
      const created = await repo.createResource(generator.next(type, lastUpdated));
      ids.push(created.id);
    }
    return ids;
  };
  const modify = async (type: ClinicalType, ids: string[]) => {
    for (const id of ids) {
      const current = await repo.readResource<Resource>(type, id);
      const note = { url: 'https://peer.test/fhir/StructureDefinition/touched', valueDateTime: new Date().toISOString() };
      await repo.updateResource({ ...current, extension: [note] } as Resource);
    }
  };
  const remove = async (type: ClinicalType, ids: string[]) => {
    for (const id of ids) await repo.deleteResource(type, id);
  };
  const ids = async (type: ClinicalType) => {
    const bundle = await repo.search(parseSearchRequest(type, { _sort: '_lastUpdated' }));
    return (bundle.entry ?? []).map((entry) => entry.resource!.id!);
  };

  const outcome = (status: number, code: string, text: string): OperationOutcome => ({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: code as 'processing', details: { text }, diagnostics: `HTTP ${status}` }],
  });
  const sendFhir = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    sendJson(res, status, body, { 'Content-Type': FHIR_JSON, ...headers });
  const unauthorized = (res: ServerResponse, text: string) =>
    sendFhir(res, 401, outcome(401, 'login', text), { 'WWW-Authenticate': 'Bearer realm="fhir", error="invalid_token"' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await handleFaultControl(faults, req, res)) return;
    const url = new URL(req.url ?? '/', base);
    if (url.pathname.startsWith('/__admin/')) return admin(url, req, res);
    const fault = await faults.before(req);
    if (fault) {
      if (fault.kind === 'expiredToken') return unauthorized(res, 'Access token expired');
      if (applyGenericFault(fault.kind === 'status' ? { ...fault, body: fault.body ?? outcome(fault.status, 'throttled', 'Forced by the peer') } : fault, res))
        return;
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      const result = await auth.exchange(await readForm(req));
      return sendJson(res, result.status, result.body, { 'Cache-Control': 'no-store' });
    }
    if (!url.pathname.startsWith('/fhir/R4')) return sendFhir(res, 404, outcome(404, 'not-found', 'Not found'));
    const path = url.pathname.slice('/fhir/R4'.length).replace(/^\/+/, '');
    if (req.method === 'GET' && path === 'metadata') return sendFhir(res, 200, capabilityStatement());
    if (req.method === 'GET' && path === '.well-known/smart-configuration') return sendJson(res, 200, smartConfiguration());

    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!auth.isValid(bearer)) return unauthorized(res, bearer ? 'Invalid or expired access token' : 'Authentication required');

    const exportMatch = /^(?:(Patient|Group\/[^/]+)\/)?\$export$/.exec(path);
    if (req.method === 'GET' && exportMatch) return kickOff(url, req, res, exportMatch[1]);
    const statusMatch = /^\$export-status\/([\w-]+)$/.exec(path);
    if (statusMatch) return exportStatus(statusMatch[1]!, req, res);
    const fileMatch = /^\$export-file\/([\w-]+)\/([\w.-]+)$/.exec(path);
    if (req.method === 'GET' && fileMatch) return exportFile(fileMatch[1]!, fileMatch[2]!, res);
    return route(req, res, path, url);
  };

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> => {
    const method = (req.method ?? 'GET') as HttpMethod;
    const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? await readJsonBody(req) : undefined;
    const isTypeSearch = method === 'GET' && /^[A-Z][A-Za-z]+$/.test(path);
    const query = new URLSearchParams(url.search);
    if (isTypeSearch) {
      const count = Math.min(maxCount, Math.max(0, Number(query.get('_count') ?? 50) || 50));
      query.set('_count', String(count));
    }
    const [result, resource] = await router.handleRequest(
      { method, url: `${path}${query.size ? `?${query.toString()}` : ''}`, pathname: '', body, params: {}, query: {}, headers: req.headers },
      repo,
    );
    const status = getStatus(result);
    if (!resource) return sendFhir(res, status, result);
    if (isTypeSearch && resource.resourceType === 'Bundle') return sendFhir(res, status, withPaging(resource as Bundle, path, query));
    return sendFhir(res, status, resource);
  };

  /** Adds fullUrls and self/next links (offset paging, as HAPI's `_getpagesoffset` and Medplum's `_offset`). */
  const withPaging = (bundle: Bundle, type: string, query: URLSearchParams): Bundle => {
    const count = Number(query.get('_count'));
    const offset = Number(query.get('_offset') ?? 0);
    const link = [{ relation: 'self', url: `${base}/fhir/R4/${type}?${query.toString()}` }];
    if (offset + count < (bundle.total ?? 0)) {
      const next = new URLSearchParams(query);
      next.set('_offset', String(offset + count));
      link.push({ relation: 'next', url: `${base}/fhir/R4/${type}?${next.toString()}` });
    }
    const entry = bundle.entry?.map((item) => ({ fullUrl: `${base}/fhir/R4/${type}/${item.resource!.id}`, ...item, search: { mode: 'match' as const } }));
    return { ...bundle, link, ...(entry ? { entry } : {}) };
  };

  const kickOff = async (url: URL, req: IncomingMessage, res: ServerResponse, level: string | undefined): Promise<void> => {
    if (!/respond-async/i.test(String(req.headers.prefer ?? ''))) return sendFhir(res, 400, outcome(400, 'invalid', 'Prefer: respond-async is required'));
    const format = url.searchParams.get('_outputFormat');
    if (format && !['application/fhir+ndjson', 'application/ndjson', 'ndjson'].includes(format))
      return sendFhir(res, 400, outcome(400, 'invalid', `unsupported _outputFormat ${format}`));
    const since = url.searchParams.get('_since');
    if (since && Number.isNaN(Date.parse(since))) return sendFhir(res, 400, outcome(400, 'invalid', '_since must be an instant'));
    const requested = (url.searchParams.get('_type') ?? CLINICAL_TYPES.join(',')).split(',').filter(Boolean);
    const types =
      level === 'Patient' || level?.startsWith('Group/') ? requested.filter((type) => (CLINICAL_TYPES as readonly string[]).includes(type)) : requested;
    const snapshot = new Map<string, Resource[]>();
    for (const type of types) {
      const bundle = await repo.search(parseSearchRequest(type as ResourceType, { ...(since ? { _lastUpdated: `gt${since}` } : {}), _sort: '_lastUpdated' }));
      snapshot.set(
        type,
        (bundle.entry ?? []).map((entry) => entry.resource!),
      );
    }
    const deletions = since ? repo.deletions.filter((deletion) => deletion.at > Date.parse(since) && types.includes(deletion.resourceType)) : [];
    const job = exports.create(url.toString(), snapshot, deletions);
    res.writeHead(202, { 'Content-Location': `${base}/fhir/R4/$export-status/${job.id}` }).end();
  };

  const exportStatus = (id: string, req: IncomingMessage, res: ServerResponse): void => {
    const job = exports.jobs.get(id);
    if (!job) return sendFhir(res, 404, outcome(404, 'not-found', 'No such export'));
    if (req.method === 'DELETE') {
      exports.jobs.delete(id);
      return void res.writeHead(202).end();
    }
    job.polls.push(Date.now());
    if (Date.now() < job.readyAt) {
      const progress = Math.min(
        99,
        Math.round((100 * (job.polls.length * retryAfterSeconds * 1000)) / Math.max(1, job.readyAt - Date.parse(job.transactionTime))),
      );
      return void res.writeHead(202, { 'Retry-After': String(retryAfterSeconds), 'X-Progress': `${progress}% exported` }).end();
    }
    sendJson(
      res,
      200,
      exports.manifest(job, (name) => `${base}/fhir/R4/$export-file/${job.id}/${name}`),
      { Expires: new Date(Date.now() + 3600_000).toUTCString() },
    );
  };

  const exportFile = (id: string, name: string, res: ServerResponse): void => {
    const file = exports.jobs.get(id)?.files.get(name);
    if (!file) return sendFhir(res, 404, outcome(404, 'not-found', 'No such file'));
    const text = file.lines.length ? `${file.lines.join('\n')}\n` : '';
    res.writeHead(200, { 'Content-Type': 'application/fhir+ndjson', 'Content-Length': Buffer.byteLength(text) }).end(text);
  };

  const capabilityStatement = () => ({
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2024-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    software: { name: 'integration-hub FHIR peer (@medplum/fhir-router)', version: '4.5.2' },
    rest: [
      {
        mode: 'server',
        security: {
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'token', valueUri: auth.tokenUrl }] }],
        },
        resource: CLINICAL_TYPES.map((type) => ({
          type,
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchParam: [{ name: '_lastUpdated', type: 'date' }],
        })),
        operation: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }],
      },
    ],
  });

  const smartConfiguration = () => ({
    token_endpoint: auth.tokenUrl,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: CLINICAL_TYPES.map((type) => `system/${type}.read`),
    capabilities: ['client-confidential-asymmetric', 'permission-v1'],
  });

  const admin = async (url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body =
      req.method === 'POST' ? await readJson<{ type?: ClinicalType; ids?: string[]; count?: number; clientId?: string; publicKeyPem?: string }>(req) : {};
    const type = body.type ?? 'Patient';
    const chosen = async () => body.ids ?? (await ids(type)).slice(0, body.count ?? 1);
    switch (url.pathname) {
      case '/__admin/state':
        return sendJson(res, 200, { tokenRequests: auth.requests, exports: exports.jobs.size });
      case '/__admin/seed':
        return sendJson(res, 200, { ids: await seed(type, body.count ?? 1, Date.now() - 60_000, Date.now()) });
      case '/__admin/modify': {
        const selected = await chosen();
        await modify(type, selected);
        return sendJson(res, 200, { ids: selected });
      }
      case '/__admin/delete': {
        const selected = await chosen();
        await remove(type, selected);
        return sendJson(res, 200, { ids: selected });
      }
      case '/__admin/clients':
        auth.registerClient(body.clientId!, body.publicKeyPem!);
        return sendJson(res, 201, { clientId: body.clientId, tokenUrl: auth.tokenUrl });
      case '/__admin/static-token':
        return sendJson(res, 201, { bearerToken: auth.issueStaticToken() });
      default:
        return sendJson(res, 404, { error: 'unknown admin route' });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendFhir(res, 500, outcome(500, 'exception', (error as Error).message));
      console.error('fhir peer:', error);
    });
  });
  const { url, port } = await listenLocal(server, options.port);
  base = url;
  auth.tokenUrl = `${url}/oauth2/token`;
  for (const type of CLINICAL_TYPES) if (options.records) await seed(type, options.records);

  return {
    url,
    port,
    faults,
    baseUrl: `${url}/fhir/R4`,
    tokenUrl: auth.tokenUrl,
    repo,
    auth,
    exports,
    seed: (type, count, fromMs, toMs) => seed(type, count, fromMs ?? Date.now() - 60_000, toMs ?? Date.now()),
    modify,
    remove,
    ids,
    stop: () => closeServer(server),
  };
};

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

export const fhirPeer: PeerStarter = (options) => startFhirPeer(options as FhirPeerOptions);
