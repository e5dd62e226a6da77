import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { closeServer, listenLocal, readForm, readJson, sendJson } from '../http';
import { type PeerStarter, type RunningPeer } from '../peer';
import { CDC_MAX_LOOKBACK_MS, CompanyStore, QBO_ENTITIES, type QboEntity, ValidationFailure } from './companyStore';
import { faultBodyForStatus, faults as intuitFaults, intuitTime } from './intuitFormat';
import { OAuthTokens } from './oauthTokens';
import { parseQuery, QueryError } from './queryLanguage';

export interface QuickBooksPeerOptions {
  port: number;
  seed?: number;
  /** Records generated per entity at start (Customer, Invoice, Payment), last updated over the past `ageDays`. */
  records?: number;
  ageDays?: number;
  realmId?: string;
  clientId?: string;
  clientSecret?: string;
  accessTokenTtlSeconds?: number;
}

/** A running QuickBooks Online peer with handles for tests. */
export interface QuickBooksPeer extends RunningPeer {
  realmId: string;
  clientId: string;
  clientSecret: string;
  /** OAuth token service (`calls` counts token endpoint requests). */
  tokens: OAuthTokens;
  company: CompanyStore;
  /** Credentials as the hub stores them after the user connected the app. */
  issueCredentials(): { clientId: string; clientSecret: string; accessToken: string; refreshToken: string };
  /** Requests that carried a `requestid`, by id (how many times each was seen). */
  requestIds: Map<string, number>;
}

/**
 * Stand-in for the QuickBooks Online Accounting API v3 and Intuit's OAuth 2.0 token endpoint:
 * - `GET /v3/company/<realm>/query?query=select * from X … STARTPOSITION n MAXRESULTS m`
 * - `GET /v3/company/<realm>/cdc?entities=A,B&changedSince=<time>` (30-day look-back, ≤1,000 per entity, deletions)
 * - `POST /v3/company/<realm>/customer|invoice?requestid=…` (a repeated requestid answers the first result)
 * - `GET /v3/company/<realm>/companyinfo/<realm>`
 * - `POST /oauth2/v1/tokens/bearer` (refresh tokens are single-use)
 * Errors use Intuit's `Fault` bodies. `/__faults` injects faults; `/__admin/*` seeds, modifies and deletes.
 */
export const startQuickBooksPeer = async (options: QuickBooksPeerOptions): Promise<QuickBooksPeer> => {
  const realmId = options.realmId ?? '9130357766900000';
  const clientId = options.clientId ?? 'qbo-client-id';
  const clientSecret = options.clientSecret ?? 'qbo-client-secret';
  const tokens = new OAuthTokens(clientId, clientSecret, options.accessTokenTtlSeconds ?? 3600);
  const company = new CompanyStore(options.seed ?? 1);
  const faults = new FaultInjector();
  const requestIds = new Map<string, number>();
  const createdByRequestId = new Map<string, { status: number; body: unknown }>();
  const records = options.records ?? 0;
  if (records > 0) {
    const toMs = Date.now() - 3600_000;
    const fromMs = toMs - (options.ageDays ?? 10) * 24 * 3600_000;
    for (const entity of QBO_ENTITIES) company.seed(entity, records, fromMs, toMs);
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await handleFaultControl(faults, req, res)) return;
    const url = new URL(req.url ?? '/', 'http://peer');
    if (url.pathname.startsWith('/__admin/')) return admin(url, req, res);
    const fault = await faults.before(req);
    if (fault) {
      if (fault.kind === 'expiredToken') return sendJson(res, 401, intuitFaults.authenticationFailed(), { 'WWW-Authenticate': 'Bearer realm="Intuit"' });
      if (applyGenericFault(fault.kind === 'status' ? { ...fault, body: fault.body ?? faultBodyForStatus(fault.status) } : fault, res)) return;
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/v1/tokens/bearer') {
      const outcome = tokens.exchange(req.headers.authorization, await readForm(req));
      return sendJson(res, outcome.status, outcome.body, { 'Cache-Control': 'no-store' });
    }
    const match = /^\/v3\/company\/([^/]+)\/([a-z]+)(?:\/([^/]+))?$/i.exec(url.pathname);
    if (!match) return sendJson(res, 404, intuitFaults.validation('Unsupported Operation', `Operation ${url.pathname} is not supported`, '500'));
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!tokens.isValidAccessToken(bearer)) return sendJson(res, 401, intuitFaults.authenticationFailed(), { 'WWW-Authenticate': 'Bearer realm="Intuit"' });
    if (match[1] !== realmId) return sendJson(res, 403, intuitFaults.authorizationFailed());
    const resource = match[2]!.toLowerCase();
    try {
      if (req.method === 'GET' && resource === 'query') return query(url, res);
      if (req.method === 'GET' && resource === 'cdc') return cdc(url, res);
      if (req.method === 'GET' && resource === 'companyinfo') {
        return sendJson(res, 200, {
          CompanyInfo: { Id: realmId, CompanyName: 'Peer Company', Country: 'US', SyncToken: '0' },
          time: intuitTime(Date.now(), true),
        });
      }
      if (req.method === 'POST' && (resource === 'customer' || resource === 'invoice')) return create(resource, url, req, res);
    } catch (error) {
      if (error instanceof ValidationFailure) return sendJson(res, 400, intuitFaults.validation(error.message, error.detail, error.code, error.element));
      if (error instanceof QueryError) return sendJson(res, 400, intuitFaults.queryParser(error.message));
      throw error;
    }
    return sendJson(res, 400, intuitFaults.validation('Unsupported Operation', `${req.method} ${resource} is not supported`, '500'));
  };

  const query = (url: URL, res: ServerResponse): void => {
    const parsed = parseQuery(url.searchParams.get('query') ?? '');
    const result = company.query(parsed);
    const response: Record<string, unknown> = parsed.count
      ? { totalCount: result.total }
      : result.records.length
        ? { [result.entity]: result.records, startPosition: parsed.startPosition, maxResults: result.records.length }
        : {};
    sendJson(res, 200, { QueryResponse: response, time: intuitTime(Date.now(), true) });
  };

  const cdc = (url: URL, res: ServerResponse): void => {
    const entities = (url.searchParams.get('entities') ?? '')
      .split(',')
      .filter(Boolean)
      .map((name) => company.entityNamed(name));
    const changedSince = Date.parse(url.searchParams.get('changedSince') ?? '');
    if (!entities.length || Number.isNaN(changedSince)) {
      throw new ValidationFailure('Request has invalid or unsupported property', 'entities and changedSince are required', '2010');
    }
    if (changedSince < Date.now() - CDC_MAX_LOOKBACK_MS) {
      throw new ValidationFailure('Invalid ChangedSince', 'changedSince may be at most 30 days in the past', '2010', 'changedSince');
    }
    const time = intuitTime(Date.now(), true);
    const queryResponses = entities.map((entity) => {
      const changes = company.changesSince(entity, changedSince);
      return changes.length ? { [entity]: changes, startPosition: 1, maxResults: changes.length } : {};
    });
    sendJson(res, 200, { CDCResponse: [{ QueryResponse: queryResponses }], time });
  };

  const create = async (resource: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const entity = company.entityNamed(resource) as QboEntity;
    const requestId = url.searchParams.get('requestid');
    const body = await readJson<Record<string, unknown>>(req);
    if (requestId) {
      requestIds.set(requestId, (requestIds.get(requestId) ?? 0) + 1);
      const previous = createdByRequestId.get(`${entity}/${requestId}`);
      if (previous) return sendJson(res, previous.status, previous.body);
    }
    let outcome: { status: number; body: unknown };
    try {
      outcome = { status: 200, body: { [entity]: company.create(entity, body), time: intuitTime(Date.now(), true) } };
    } catch (error) {
      if (!(error instanceof ValidationFailure)) throw error;
      outcome = { status: 400, body: intuitFaults.validation(error.message, error.detail, error.code, error.element) };
    }
    if (requestId) createdByRequestId.set(`${entity}/${requestId}`, outcome);
    sendJson(res, outcome.status, outcome.body);
  };

  const admin = async (url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = req.method === 'POST' ? await readJson<{ entity?: string; ids?: string[]; count?: number }>(req) : {};
    const entity = body.entity ? company.entityNamed(body.entity) : 'Customer';
    const pick = () => body.ids ?? company.liveIds(entity).slice(0, body.count ?? 1);
    switch (url.pathname) {
      case '/__admin/state':
        return sendJson(res, 200, { realmId, tokenCalls: tokens.calls, counts: Object.fromEntries(QBO_ENTITIES.map((name) => [name, company.count(name)])) });
      case '/__admin/credentials':
        return sendJson(res, 200, { realmId, ...peer.issueCredentials() });
      case '/__admin/seed':
        return sendJson(res, 200, { ids: company.seed(entity, body.count ?? 1, Date.now() - 3600_000, Date.now()) });
      case '/__admin/modify':
        return sendJson(res, 200, { ids: company.modify(entity, pick()) });
      case '/__admin/delete':
        return sendJson(res, 200, { ids: company.remove(entity, pick()) });
      case '/__admin/expire-tokens':
        tokens.expireAccessTokens();
        return sendJson(res, 200, {});
      default:
        return sendJson(res, 404, { error: 'unknown admin route' });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, intuitFaults.serviceUnavailable(500));
      console.error('quickbooks peer:', error);
    });
  });
  const { url, port } = await listenLocal(server, options.port);
  const peer: QuickBooksPeer = {
    url,
    port,
    faults,
    realmId,
    clientId,
    clientSecret,
    tokens,
    company,
    requestIds,
    issueCredentials() {
      const issued = tokens.issue();
      return { clientId, clientSecret, accessToken: issued.access_token, refreshToken: issued.refresh_token };
    },
    stop: () => closeServer(server),
  };
  return peer;
};

export const quickbooksPeer: PeerStarter = (options) => startQuickBooksPeer(options as QuickBooksPeerOptions);
