import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { applyGenericFault, FaultInjector, handleFaultControl } from '../faults';
import { bearerToken, readText, sendJson } from '../http';
import { type RunningPeer } from '../peer';
import { OBJECT_FIELDS, SalesforceOrg, sfTime, type SalesforceRecord } from './salesforceData';
import { parseSoql, runSoql, SoqlError } from './soql';

/**
 * A Salesforce org on 127.0.0.1 that speaks the REST API's wire format for what the connector
 * uses: `/services/data/vXX.X/query?q=` with `nextRecordsUrl` locators (`/query/<locator>-<offset>`,
 * page size from `Sforce-Query-Options: batchSize=N`, 2000 by default), `/queryAll`,
 * `/sobjects/<type>/describe`, `/sobjects/<type>/updated|deleted?start=&end=`,
 * `/composite/sobjects/<type>/<extIdField>` and `/sobjects/<type>/<extIdField>/<value>` upserts,
 * `/limits`, and the OAuth2 token endpoint `/services/oauth2/token` (refresh_token and JWT bearer
 * grants). Errors use Salesforce's bodies: `[{ "message", "errorCode": "INVALID_SESSION_ID" }]`
 * with 401, `MALFORMED_QUERY`, `INVALID_FIELD`, `REQUEST_LIMIT_EXCEEDED`; token errors
 * `{ "error": "invalid_grant", "error_description" }`.
 */
export interface SalesforcePeerOptions {
  port: number;
  /** Records generated per object (default: 1000 Accounts, 200 Contacts, 200 Opportunities). */
  records?: number | Partial<Record<'Account' | 'Contact' | 'Opportunity', number>>;
  /** OAuth2 client of the connected app (refresh and JWT grants). */
  clientId?: string;
  clientSecret?: string;
  /** Refresh tokens the token endpoint accepts. */
  refreshTokens?: string[];
  /** PEM public key (certificate of the connected app) that verifies JWT bearer assertions. */
  jwtPublicKeyPem?: string;
  /** Access tokens valid from the start. */
  accessTokens?: string[];
}

export interface RunningSalesforcePeer extends RunningPeer {
  org: SalesforceOrg;
  /** Issues a new valid access token (as a login would). */
  issueAccessToken(): string;
  /** Invalidates these access tokens, or every one issued so far (the next call gets 401 INVALID_SESSION_ID). */
  expireAccessTokens(tokens?: string[]): void;
  /** Token endpoint calls, by grant type. */
  tokenRequests: Record<string, number>;
}

const PAGE_DEFAULT = 2000;
const VERSION_PATH = /^\/services\/data\/v(\d+\.\d+)(\/.*)?$/;

export async function startSalesforcePeer(options: SalesforcePeerOptions): Promise<RunningSalesforcePeer> {
  const counts =
    typeof options.records === 'number'
      ? { Account: options.records, Contact: 0, Opportunity: 0 }
      : { Account: 1000, Contact: 200, Opportunity: 200, ...(options.records ?? {}) };
  const org = new SalesforceOrg(counts);
  const faults = new FaultInjector();
  const validTokens = new Set(options.accessTokens ?? []);
  const refreshTokens = new Set(options.refreshTokens ?? []);
  const jwtKey: KeyObject | undefined = options.jwtPublicKeyPem ? createPublicKey(options.jwtPublicKeyPem) : undefined;
  const tokenRequests: Record<string, number> = {};
  /** Server-side query cursors: locator → the result snapshot and page size. */
  const locators = new Map<string, { records: SalesforceRecord[]; fields: string[]; batchSize: number; type: string }>();
  let url = '';

  const issueAccessToken = () => {
    const token = `00D000000000001!${randomBytes(24).toString('base64url')}`;
    validTokens.add(token);
    return token;
  };

  const sfError = (res: ServerResponse, status: number, errorCode: string, message: string) => sendJson(res, status, [{ message, errorCode }]);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sfError(res, 500, 'UNKNOWN_EXCEPTION', (error as Error).message);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await handleFaultControl(faults, req, res)) return;
    const fault = await faults.before(req);
    if (fault?.kind === 'expiredToken') return sfError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (fault && applyGenericFault(fault, res)) return;

    const requestUrl = new URL(req.url ?? '/', url);
    if (req.method === 'POST' && requestUrl.pathname === '/services/oauth2/token') return tokenEndpoint(req, res);

    const versioned = VERSION_PATH.exec(requestUrl.pathname);
    if (!versioned) return sfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    const token = bearerToken(req);
    if (!token || !validTokens.has(token)) return sfError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    const version = versioned[1]!;
    const path = (versioned[2] ?? '/').replace(/\/$/, '') || '/';
    const segments = path.split('/').filter(Boolean);

    if (req.method === 'GET' && path === '/limits') {
      return sendJson(res, 200, { DailyApiRequests: { Max: 100000, Remaining: 100000 - faults.requests.length } });
    }
    if (req.method === 'GET' && (segments[0] === 'query' || segments[0] === 'queryAll')) {
      if (segments.length === 2) return nextPage(res, version, segments[1]!);
      return query(req, res, version, requestUrl.searchParams.get('q') ?? '', segments[0] === 'queryAll');
    }
    if (segments[0] === 'sobjects' && segments[1]) {
      const type = segments[1];
      if (!OBJECT_FIELDS[type]) return sfError(res, 404, 'NOT_FOUND', `The requested resource does not exist: ${type}`);
      if (req.method === 'GET' && segments[2] === 'describe') {
        return sendJson(res, 200, { name: type, queryable: true, replicateable: true, fields: OBJECT_FIELDS[type] });
      }
      if (req.method === 'GET' && (segments[2] === 'updated' || segments[2] === 'deleted')) {
        return changedRecords(res, type, segments[2], requestUrl.searchParams);
      }
      if (req.method === 'PATCH' && segments.length === 4) {
        const body = JSON.parse((await readText(req)) || '{}') as Record<string, unknown>;
        const result = upsert(type, segments[2]!, decodeURIComponent(segments[3]!), body);
        if ('errorCode' in result) return sendJson(res, 400, [result]);
        return sendJson(res, result.created ? 201 : 200, result);
      }
    }
    if (req.method === 'PATCH' && segments[0] === 'composite' && segments[1] === 'sobjects' && segments[2] && segments[3]) {
      const body = JSON.parse((await readText(req)) || '{}') as { records?: Array<Record<string, unknown>> };
      const records = body.records ?? [];
      if (records.length > 200) return sfError(res, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
      return sendJson(
        res,
        200,
        records.map((record) => {
          const { attributes: _attributes, ...values } = record;
          const result = upsert(segments[2]!, segments[3]!, values[segments[3]!] as string, values);
          return 'errorCode' in result ? { success: false, errors: [{ statusCode: result.errorCode, message: result.message, fields: [] }] } : result;
        }),
      );
    }
    return sfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  function upsert(
    type: string,
    field: string,
    value: string,
    values: Record<string, unknown>,
  ): { id: string; success: true; errors: []; created: boolean } | { errorCode: string; message: string } {
    const known = new Set(OBJECT_FIELDS[type]?.map((f) => f.name));
    if (!known.has(field)) return { errorCode: 'NOT_FOUND', message: `Provided external ID field does not exist or is not accessible: ${field}` };
    const unknown = Object.keys(values).filter(
      (key) => !known.has(key) || ['Id', 'IsDeleted', 'SystemModstamp', 'CreatedDate', 'LastModifiedDate'].includes(key),
    );
    if (unknown.length > 0) return { errorCode: 'INVALID_FIELD', message: `No such column '${unknown[0]}' on sobject of type ${type}` };
    const existing = org.findByField(type, field, value);
    if (existing) {
      org.update(type, existing.Id, { ...values, [field]: value });
      return { id: existing.Id, success: true, errors: [], created: false };
    }
    const created = org.insert(type, { ...values, [field]: value });
    return { id: created.Id, success: true, errors: [], created: true };
  }

  function query(req: IncomingMessage, res: ServerResponse, version: string, soql: string, includeDeleted: boolean): void {
    let records: SalesforceRecord[];
    let parsed;
    try {
      parsed = parseSoql(soql);
      const fields = OBJECT_FIELDS[parsed.object];
      if (!fields) throw new SoqlError(`sObject type '${parsed.object}' is not supported.`, 'INVALID_TYPE');
      const table = org.table(parsed.object).values();
      const visible = includeDeleted ? table : filter(table, (record) => !record.IsDeleted);
      records = runSoql(parsed, visible, new Set(fields.map((field) => field.name)));
    } catch (error) {
      if (error instanceof SoqlError) return sfError(res, 400, error.errorCode, error.message);
      throw error;
    }
    const batchHeader = /batchSize=(\d+)/.exec(String(req.headers['sforce-query-options'] ?? ''));
    const batchSize = Math.min(PAGE_DEFAULT, Math.max(200, Number(batchHeader?.[1] ?? PAGE_DEFAULT)));
    const locator = `01g${randomBytes(6).toString('hex').toUpperCase()}`;
    locators.set(locator, { records, fields: parsed.fields, batchSize, type: parsed.object });
    sendPage(res, version, locator, 0);
  }

  function nextPage(res: ServerResponse, version: string, locatorAndOffset: string): void {
    const dash = locatorAndOffset.lastIndexOf('-');
    const locator = locatorAndOffset.slice(0, dash);
    const offset = Number(locatorAndOffset.slice(dash + 1));
    if (!locators.has(locator) || !Number.isInteger(offset)) return sfError(res, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    sendPage(res, version, locator, offset);
  }

  function sendPage(res: ServerResponse, version: string, locator: string, offset: number): void {
    const cursor = locators.get(locator)!;
    const page = cursor.records.slice(offset, offset + cursor.batchSize);
    const done = offset + page.length >= cursor.records.length;
    if (done) locators.delete(locator);
    const records = page.map((record) => {
      const out: Record<string, unknown> = { attributes: { type: cursor.type, url: `/services/data/v${version}/sobjects/${cursor.type}/${record.Id}` } };
      for (const field of cursor.fields) out[field] = record[field] ?? null;
      return out;
    });
    sendJson(res, 200, {
      totalSize: cursor.records.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${version}/query/${locator}-${offset + page.length}` }),
      records,
    });
  }

  function changedRecords(res: ServerResponse, type: string, kind: 'updated' | 'deleted', params: URLSearchParams): void {
    const start = Date.parse(params.get('start') ?? '');
    const end = Date.parse(params.get('end') ?? '');
    if (Number.isNaN(start) || Number.isNaN(end) || end < start)
      return sfError(res, 400, 'INVALID_REPLICATION_DATE', 'start and end must be valid dates, end after start');
    const latest = new Date(Math.min(end, Date.now())).toISOString().replace('Z', '+0000');
    if (kind === 'deleted') {
      const deletedRecords = org.deletedLog.get(type)!.filter((entry) => sfTime(entry.deletedDate) >= start && sfTime(entry.deletedDate) <= end);
      return sendJson(res, 200, {
        deletedRecords,
        earliestDateAvailable: new Date(Date.now() - 30 * 86_400_000).toISOString().replace('Z', '+0000'),
        latestDateCovered: latest,
      });
    }
    const ids = [...org.table(type).values()]
      .filter((record) => !record.IsDeleted && sfTime(record.SystemModstamp) >= start && sfTime(record.SystemModstamp) <= end)
      .map((record) => record.Id);
    return sendJson(res, 200, { ids, latestDateCovered: latest });
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readText(req));
    const grant = form.get('grant_type') ?? '';
    tokenRequests[grant] = (tokenRequests[grant] ?? 0) + 1;
    const invalid = (description: string, error = 'invalid_grant') => sendJson(res, 400, { error, error_description: description });
    if (grant === 'refresh_token') {
      if (options.clientId && form.get('client_id') !== options.clientId) return invalid('client identifier invalid', 'invalid_client_id');
      if (options.clientSecret && form.get('client_secret') !== options.clientSecret) return invalid('invalid client credentials', 'invalid_client');
      if (!refreshTokens.has(form.get('refresh_token') ?? '')) return invalid('expired access/refresh token');
    } else if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const problem = verifyAssertion(form.get('assertion') ?? '');
      if (problem) return invalid(problem);
    } else {
      return invalid(`grant type not supported: ${grant}`, 'unsupported_grant_type');
    }
    const accessToken = issueAccessToken();
    sendJson(res, 200, {
      access_token: accessToken,
      instance_url: url,
      id: `${url}/id/00D000000000001AAA/005000000000001AAA`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      signature: randomBytes(32).toString('base64'),
    });
  }

  /** Checks an RS256 JWT bearer assertion: signature, iss = client id, aud = login URL, exp. */
  function verifyAssertion(assertion: string): string | undefined {
    if (!jwtKey) return 'JWT bearer flow is not configured for this org';
    const [header, payload, signature] = assertion.split('.');
    if (!header || !payload || !signature) return 'invalid assertion';
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    if (!verifier.verify(jwtKey, Buffer.from(signature, 'base64url'))) return 'invalid assertion';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; sub?: string; aud?: string; exp?: number };
    if (options.clientId && claims.iss !== options.clientId) return 'invalid_client_id: client identifier invalid';
    if (!claims.sub) return 'invalid assertion: no subject';
    if (!claims.aud || !/^https?:\/\//.test(claims.aud)) return 'invalid assertion: audience';
    if (!claims.exp || claims.exp * 1000 < Date.now()) return 'expired authorization code';
    return undefined;
  }

  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  const startToken = issueAccessToken();
  return {
    url,
    port,
    faults,
    info: { accessToken: startToken, instanceUrl: url },
    org,
    tokenRequests,
    issueAccessToken,
    expireAccessTokens: (tokens) => (tokens ? tokens.forEach((token) => validTokens.delete(token)) : validTokens.clear()),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function* filter<T>(items: Iterable<T>, keep: (item: T) => boolean): Iterable<T> {
  for (const item of items) if (keep(item)) yield item;
}
