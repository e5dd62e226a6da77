import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { compileDefinition } from '../../connectors/declarative/compileDefinition';
import { validateDefinition } from '../../connectors/declarative/parseDefinition';
import { AuthError, RateLimitError } from '../../connectors/errors';
import { findConnector } from '../../connectors/registry';
import { type Database } from '../../platform/db';
import { closeServer, listenLocal, sendJson } from '../peers/http';
import { caught, createTestConnector, readAll, TestCredentialStore } from '../support/connectorContext';

/**
 * Declarative engine features the Sage and Oracle definitions do not use, against a small local
 * API: Link-header paging with an API key (the shipped rest-api-key template), soft deletes,
 * page numbers with totalPages, parent/child streams, time windows, If-Modified-Since, error rules
 * and the declared request budget.
 */
describe('declarative engine', () => {
  const people = Array.from({ length: 45 }, (_, index) => ({
    id: index + 1,
    name: `Person ${index + 1}`,
    updated_at: new Date(Date.UTC(2026, 0, 1 + Math.floor(index / 5))).toISOString(),
    deleted_at: index === 3 ? '2026-01-02T00:00:00.000Z' : null,
  }));
  const requests: string[] = [];
  let url = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(req.url ?? '/', 'http://local');
    requests.push(`${req.method} ${target.pathname}${target.search}`);
    if (target.pathname === '/items') {
      if (req.headers['x-api-key'] !== 'k') return sendJson(res, 400, { error: 'invalid_api_key' });
      const perPage = Number(target.searchParams.get('per_page') ?? 10);
      const page = Number(target.searchParams.get('page') ?? 1);
      const since = target.searchParams.get('updated_since');
      const rows = people.filter((person) => !since || person.updated_at >= since);
      const slice = rows.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < rows.length) {
        const next = new URL(target.toString().replace('http://local', url));
        next.searchParams.set('page', String(page + 1));
        headers.Link = `<${next}>; rel="next", <${url}/items?page=1>; rel="first"`;
      }
      return sendJson(res, 200, { data: slice }, headers);
    }
    if (target.pathname === '/teams') {
      const page = Number(target.searchParams.get('p') ?? 0);
      return sendJson(res, 200, { teams: page < 2 ? [{ key: `t${page}a` }, { key: `t${page}b` }] : [], pages: 2 });
    }
    const members = /^\/teams\/([^/]+)\/members$/.exec(target.pathname);
    if (members) return sendJson(res, 200, [{ memberId: `${members[1]}-1` }, { memberId: `${members[1]}-2` }]);
    if (target.pathname === '/events') {
      if (req.headers['if-modified-since'] && Date.parse(req.headers['if-modified-since']) >= Date.UTC(2026, 0, 20)) return res.writeHead(304).end();
      return sendJson(res, 200, { events: [{ seq: 1, at: target.searchParams.get('from') }] });
    }
    if (target.pathname === '/limited') return sendJson(res, 403, { message: 'token_revoked for this account' });
    return sendJson(res, 404, { error: 'not found' });
  });
  beforeAll(async () => {
    url = (await listenLocal(server, 0)).url;
  });
  afterAll(() => closeServer(server));

  const noDatabase = undefined as unknown as Database;
  const build = (document: Record<string, unknown>, config: Record<string, unknown>, credentials: Record<string, unknown> = {}) => {
    const parsed = validateDefinition(document);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.faults));
    const definition = compileDefinition(parsed.definition, document.name as string);
    return createTestConnector({ definition, config, credentials, store: new TestCredentialStore(), db: noDatabase, connectorId: `engine-${Math.random()}` })
      .instance;
  };

  it('the shipped rest-api-key template: Link pages, soft deletes, increments, and an error rule mapped to auth', async () => {
    const definition = findConnector('rest-api-key')!;
    const connect = (apiKey: string) =>
      createTestConnector({ definition, config: { baseUrl: url }, credentials: { apiKey }, store: new TestCredentialStore(), db: noDatabase }).instance;
    const full = await readAll(connect('k'), 'items', null, 10);
    expect(full.records).toHaveLength(45);
    expect(full.pages).toBe(5);
    expect(full.records.filter((record) => record.deleted).map((record) => record.externalId)).toEqual(['4']);
    expect(JSON.parse(full.cursor!)).toMatchObject({ start: new Date(Date.UTC(2026, 0, 9) - 60_000).toISOString() });
    const increment = await readAll(connect('k'), 'items', full.cursor, 10);
    expect(increment.records.map((record) => record.externalId)).toEqual(['41', '42', '43', '44', '45']);
    expect(requests.at(-1)).toContain('updated_since=2026-01-08T23%3A59%3A00.000Z');
    await expect(connect('wrong').readPage('items', null, 10)).rejects.toBeInstanceOf(AuthError);
  });

  it('parent/child streams and page-number paging with totalPages', async () => {
    const instance = build(
      {
        name: 'teams-api',
        displayName: 'Teams',
        baseUrl: url,
        auth: { type: 'none' },
        streams: [
          {
            name: 'teams',
            path: '/teams',
            recordSelector: '/teams',
            primaryKey: '/key',
            paginator: { type: 'page_number', pageParam: 'p', maxSize: 2, startAt: 0, totalPages: '/pages' },
          },
          {
            name: 'members',
            path: '/teams/{{ parent.key | urlencode }}/members',
            recordSelector: '',
            primaryKey: '/memberId',
            parent: { stream: 'teams', key: '/key' },
          },
        ],
      },
      {},
    );
    expect((await readAll(instance, 'teams', null, 100)).records.map((record) => record.externalId)).toEqual(['t0a', 't0b', 't1a', 't1b']);
    const members = await readAll(instance, 'members', null, 100);
    expect(members.records.map((record) => record.externalId)).toEqual(['t0a-1', 't0a-2', 't0b-1', 't0b-2', 't1a-1', 't1a-2', 't1b-1', 't1b-2']);
  });

  it('time windows up to now, If-Modified-Since (304 = nothing new), error rules and the request budget', async () => {
    const instance = build(
      {
        name: 'events-api',
        displayName: 'Events',
        baseUrl: url,
        config: { type: 'object', properties: { start: { type: 'string', format: 'date-time' } } },
        auth: { type: 'none' },
        rateLimit: { perMinute: 3 },
        errors: [{ status: 403, bodyContains: 'token_revoked', kind: 'auth' }],
        streams: [
          {
            name: 'events',
            path: '/events',
            params: { from: '{{ cursor.start }}', to: '{{ cursor.end }}' },
            recordSelector: '/events',
            primaryKey: '/seq',
            incremental: { cursorField: '/at', start: '{{ config.start }}', windowSeconds: 31_536_000, ifModifiedSince: true },
          },
          { name: 'limited', path: '/limited', recordSelector: '', primaryKey: '/id' },
        ],
      },
      { start: new Date(Date.now() - 2.5 * 365 * 86_400_000).toISOString() },
    );
    const before = requests.length;
    const first = await instance.readPage('events', null, 10);
    expect(first.done).toBe(false);
    expect(JSON.parse(first.nextCursor!)).toMatchObject({ phase: 'changes', end: expect.any(String) });
    const second = await instance.readPage('events', first.nextCursor, 10);
    const third = await instance.readPage('events', second.nextCursor, 10);
    expect(requests.slice(before).every((line) => line.includes('from=') && line.includes('to='))).toBe(true);
    expect(third.done).toBe(true);
    // The per-minute budget (3) is spent: the next call waits for the window as a rate limit.
    const limited = await caught(() => instance.readPage('limited', null, 10));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBeGreaterThan(1_000);

    const fresh = build(
      {
        name: 'events-304',
        displayName: 'Events',
        baseUrl: url,
        config: { type: 'object', properties: { start: { type: 'string', format: 'date-time' } } },
        auth: { type: 'none' },
        errors: [{ status: 403, bodyContains: 'token_revoked', kind: 'auth' }],
        streams: [
          {
            name: 'events',
            path: '/events',
            recordSelector: '/events',
            primaryKey: '/seq',
            incremental: { cursorField: '/at', start: '{{ config.start }}', ifModifiedSince: true },
          },
          { name: 'limited', path: '/limited', recordSelector: '', primaryKey: '/id' },
        ],
      },
      { start: '2026-02-01T00:00:00Z' },
    );
    expect(await fresh.readPage('events', null, 10)).toMatchObject({ records: [], done: true });
    await expect(fresh.readPage('limited', null, 10)).rejects.toBeInstanceOf(AuthError);
  });
});
