import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { closeServer, listenLocal, readForm, readJson, sendJson } from '../http';
import { type PeerStarter, type RunningPeer } from '../peer';
import { SAGE_RESOURCES, SageStore, type SageResource } from './sageStore';

export interface SagePeerOptions {
  port: number;
  seed?: number;
  /** Records per resource at start, stamped over the past `ageDays`. */
  records?: number;
  ageDays?: number;
  businessId?: string;
  accessTokenTtlSeconds?: number;
}

export interface SagePeer extends RunningPeer {
  businessId: string;
  clientId: string;
  clientSecret: string;
  store: SageStore;
  /** API root as a connector's `baseUrl`. */
  apiUrl: string;
  tokenUrl: string;
  /** Token endpoint requests, and refresh tokens presented a second time. */
  tokenCalls: number;
  reusedRefreshTokens: number;
  issueCredentials(): { clientId: string; clientSecret: string; accessToken: string; refreshToken: string; accessTokenExpiresAt: string };
  expireAccessTokens(): void;
}

/** Sage's error bodies: an array of `{$severity, $dataCode, $message, $source}`. */
function sageError(dataCode: string, message: string, source = ''): unknown {
  return [{ $severity: 'error', $dataCode: dataCode, $message: message, $source: source }];
}

const MAX_ITEMS_PER_PAGE = 200;

/**
 * Stand-in for the Sage Business Cloud Accounting API v3.1 and its OAuth 2.0 token endpoint:
 * - `GET /v3.1/contacts|sales_invoices?items_per_page (≤ 200)&page&updated_or_created_since&attributes`
 *   answering `{$total, $page, $next, $back, $itemsPerPage, $items}` with relative `$next` links
 * - `GET /v3.1/deleted_objects?object_type=CONTACT|SALES_INVOICE&deleted_since` (same paging)
 * - `GET /v3.1/businesses/<id>`; every API call needs `X-Business` naming the business
 * - `POST /token` (`grant_type=refresh_token`, client id and secret in the form): access tokens
 *   expire (default 300 s), each refresh answers a new refresh token and spends the old one
 *   (`invalid_grant` on reuse)
 * Errors use Sage's bodies. `/__faults` injects faults (`expiredToken` → Sage's 401).
 */
export const startSagePeer = async (options: SagePeerOptions): Promise<SagePeer> => {
  const businessId = options.businessId ?? 'b6fa4c5e0ed64f3c9a1a0d7e2b1c4f00';
  const clientId = 'sage-client-id';
  const clientSecret = 'sage-client-secret';
  const ttlSeconds = options.accessTokenTtlSeconds ?? 300;
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Map<string, { spent: boolean }>();
  const store = new SageStore(options.seed ?? 1);
  const faults = new FaultInjector();
  if ((options.records ?? 0) > 0) {
    const toMs = Date.now() - 3600_000;
    const fromMs = toMs - (options.ageDays ?? 10) * 86_400_000;
    for (const resource of Object.keys(SAGE_RESOURCES) as SageResource[]) store.seed(resource, options.records!, fromMs, toMs);
  }

  const issue = () => {
    const access = `sage-at-${randomBytes(18).toString('base64url')}`;
    const refresh = `sage-rt-${randomBytes(18).toString('base64url')}`;
    accessTokens.set(access, Date.now() + ttlSeconds * 1000);
    refreshTokens.set(refresh, { spent: false });
    return { access_token: access, refresh_token: refresh, expires_in: ttlSeconds, refresh_token_expires_in: 2_678_400, token_type: 'bearer' };
  };

  const expired = (res: ServerResponse) =>
    sendJson(res, 401, sageError('UnexpectedError', 'Your access token has expired or is invalid'), { 'WWW-Authenticate': 'Bearer' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await handleFaultControl(faults, req, res)) return;
    const url = new URL(req.url ?? '/', 'http://peer');
    if (url.pathname.startsWith('/__admin/')) return admin(url, req, res);
    const fault = await faults.before(req);
    if (fault) {
      if (fault.kind === 'expiredToken') return expired(res);
      const body =
        fault.kind === 'status' && fault.body === undefined && fault.status === 429 ? sageError('TooManyRequests', 'Rate limit exceeded') : undefined;
      if (applyGenericFault(fault.kind === 'status' && body ? { ...fault, body } : fault, res)) return;
    }
    if (req.method === 'POST' && url.pathname === '/token') return token(await readForm(req), res);
    const match = /^\/v3\.1\/([a-z_]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return sendJson(res, 404, sageError('RESOURCE_NOT_FOUND', `No route matches ${url.pathname}`));
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !((accessTokens.get(bearer) ?? 0) > Date.now())) return expired(res);
    if (req.headers['x-business'] !== businessId) return sendJson(res, 403, sageError('BusinessNotFound', 'X-Business does not name a business of this user'));
    const resource = match[1]!;
    const id = match[2];
    if (req.method !== 'GET') return sendJson(res, 405, sageError('METHOD_NOT_ALLOWED', `${req.method} is not supported here`));
    if (resource === 'businesses') {
      if (id !== businessId) return sendJson(res, 404, sageError('RESOURCE_NOT_FOUND', 'No such business'));
      return sendJson(res, 200, { id: businessId, displayed_as: 'Peer Business Ltd', name: 'Peer Business Ltd' });
    }
    const perPage = Number(url.searchParams.get('items_per_page') ?? 20);
    const page = Number(url.searchParams.get('page') ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_ITEMS_PER_PAGE)
      return sendJson(res, 422, sageError('RECORD_INVALID', `items_per_page must be between 1 and ${MAX_ITEMS_PER_PAGE}`, 'items_per_page'));
    if (!Number.isInteger(page) || page < 1) return sendJson(res, 422, sageError('RECORD_INVALID', 'page must be a positive integer', 'page'));
    let items: Array<Record<string, unknown>>;
    if (resource === 'deleted_objects') {
      const type = url.searchParams.get('object_type');
      const since = Date.parse(url.searchParams.get('deleted_since') ?? '');
      if (!type) return sendJson(res, 422, sageError('RECORD_INVALID', 'object_type is required', 'object_type'));
      items = store.deleted.filter((entry) => entry.object_type === type && (Number.isNaN(since) || Date.parse(entry.deleted_at) >= since));
    } else if (resource in SAGE_RESOURCES) {
      const since = Date.parse(url.searchParams.get('updated_or_created_since') ?? '');
      const all = url.searchParams.get('attributes') === 'all';
      items = store
        .list(resource as SageResource)
        .filter((record) => Number.isNaN(since) || Date.parse(record.updated_at) >= since)
        .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id.localeCompare(b.id))
        .map((record) => (all ? record : { id: record.id, displayed_as: record.displayed_as, $path: record.$path }));
    } else return sendJson(res, 404, sageError('RESOURCE_NOT_FOUND', `Unknown resource ${resource}`));
    const total = items.length;
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (target: number) => {
      const params = new URLSearchParams(url.searchParams);
      params.set('page', String(target));
      params.set('items_per_page', String(perPage));
      return `/${resource}?${params}`;
    };
    sendJson(res, 200, {
      $total: total,
      $page: page,
      $next: page * perPage < total ? link(page + 1) : null,
      $back: page > 1 ? link(page - 1) : null,
      $itemsPerPage: perPage,
      $items: slice,
    });
  };

  const token = (form: URLSearchParams, res: ServerResponse): void => {
    peer.tokenCalls += 1;
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return sendJson(res, 401, { error: 'invalid_client' });
    if (form.get('grant_type') !== 'refresh_token') return sendJson(res, 400, { error: 'unsupported_grant_type' });
    const presented = refreshTokens.get(form.get('refresh_token') ?? '');
    if (!presented || presented.spent) {
      if (presented) peer.reusedRefreshTokens += 1;
      return sendJson(res, 400, { error: 'invalid_grant', error_description: 'refresh token is invalid, expired or already used' });
    }
    presented.spent = true;
    sendJson(res, 200, issue(), { 'Cache-Control': 'no-store' });
  };

  const admin = async (url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = req.method === 'POST' ? await readJson<{ resource?: SageResource; ids?: string[]; count?: number }>(req) : {};
    const resource = body.resource ?? 'contacts';
    const pick = () => body.ids ?? store.liveIds(resource).slice(0, body.count ?? 1);
    switch (url.pathname) {
      case '/__admin/credentials':
        return sendJson(res, 200, { businessId, ...peer.issueCredentials() });
      case '/__admin/seed':
        return sendJson(res, 200, { ids: store.seed(resource, body.count ?? 1, Date.now() - 1000, Date.now()) });
      case '/__admin/modify':
        return sendJson(res, 200, { ids: store.modify(resource, pick()) });
      case '/__admin/delete':
        return sendJson(res, 200, { ids: store.remove(resource, pick()) });
      case '/__admin/expire-tokens':
        peer.expireAccessTokens();
        return sendJson(res, 200, {});
      default:
        return sendJson(res, 404, { error: 'unknown admin route' });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, sageError('InternalServerError', 'peer failure'));
      console.error('sage peer:', error);
    });
  });
  const { url, port } = await listenLocal(server, options.port);
  const peer: SagePeer = {
    url,
    port,
    faults,
    businessId,
    clientId,
    clientSecret,
    store,
    apiUrl: `${url}/v3.1`,
    tokenUrl: `${url}/token`,
    tokenCalls: 0,
    reusedRefreshTokens: 0,
    info: { businessId, apiUrl: `${url}/v3.1`, tokenUrl: `${url}/token`, credentials: `POST ${url}/__admin/credentials` },
    issueCredentials() {
      const issued = issue();
      return {
        clientId,
        clientSecret,
        accessToken: issued.access_token,
        refreshToken: issued.refresh_token,
        accessTokenExpiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
      };
    },
    expireAccessTokens() {
      for (const token of accessTokens.keys()) accessTokens.set(token, 0);
    },
    stop: () => closeServer(server),
  };
  return peer;
};

export const sagePeer: PeerStarter = (options) => startSagePeer(options as SagePeerOptions);
