import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../cursor';
import { ConfigError } from '../errors';
import { lookBack } from '../lookback';
import { type ConnectorContext, type ConnectorInstance, type ConnectorRecord, type ReadPageResult } from '../types';
import { type ConnectorDefinitionDocument, type PaginatorDocument, type RequestDocument, type StreamDocument } from './definitionSchema';
import { render, toIso, type ExpressionScope } from './expression';
import { DeclarativeRequester, type IncomingResponse } from './requester';
import { resolvePointer } from './safeAccess';
import { applyTransformations } from './transformations';

/**
 * Where a stream stands, JSON in the sync engine's cursor. A traversal reads the changes since
 * `start` (a full read when null) page by page (`page`), window by window (`end`), then the
 * deleted-records endpoint since `deletesStart`; the cursor it finishes with starts the next
 * traversal the lookback window before the newest change it read (`high`).
 */
const pageState = z.union([
  z.strictObject({ kind: z.literal('url'), url: z.string() }),
  z.strictObject({ kind: z.literal('token'), token: z.string() }),
  z.strictObject({ kind: z.literal('offset'), offset: z.number().int().min(0) }),
  z.strictObject({ kind: z.literal('page'), page: z.number().int().min(0) }),
]);
type PageState = z.infer<typeof pageState>;
const cursorValue = z.union([z.string(), z.number()]).nullable();
const streamCursor = z.strictObject({
  v: z.literal(1),
  phase: z.enum(['changes', 'deletes']),
  start: cursorValue,
  end: z.string().nullable(),
  high: cursorValue,
  startedAt: z.string().nullable(),
  deletesStart: z.string().nullable(),
  page: pageState.nullable(),
  parent: z.strictObject({ cursor: z.string().nullable(), keys: z.array(z.unknown()), index: z.number().int().min(0), done: z.boolean() }).optional(),
});
type StreamCursor = z.infer<typeof streamCursor>;

type Context = ConnectorContext<Record<string, unknown>, Record<string, unknown>>;

/** A declarative connector bound to one tenant's config and credentials. */
export class DeclarativeConnector implements ConnectorInstance {
  private readonly requester: DeclarativeRequester;

  constructor(
    private readonly definition: ConnectorDefinitionDocument,
    private readonly context: Context,
  ) {
    this.requester = new DeclarativeRequester(definition, context);
  }

  async testConnection(): Promise<{ details: Record<string, unknown> }> {
    if (this.definition.check) {
      const url = this.url(this.definition.check.path, this.definition.check.params, {});
      const response = await this.requester.send({ url, method: 'GET', headers: this.headers({}) });
      return { details: { status: response.status } };
    }
    const first = this.definition.streams.find((stream) => !stream.parent) ?? this.definition.streams[0]!;
    const page = await this.readPage(first.name, null, 1);
    return { details: { stream: first.name, records: page.records.length } };
  }

  async readPage(streamName: string, cursor: string | null, pageSize: number): Promise<ReadPageResult> {
    const stream = this.stream(streamName);
    const state = decodeCursor(streamCursor, cursor, this.definition.name) ?? this.initialState(stream);
    if (state.startedAt === null) state.startedAt = new Date().toISOString();
    if (stream.incremental?.windowSeconds && state.end === null && typeof state.start === 'string') state.end = this.windowEnd(stream, state.start);
    if (state.phase === 'deletes') return this.readDeletes(stream, state, pageSize);
    if (stream.parent) return this.readChild(stream, state, pageSize);

    const { records, next } = await this.fetchPage(stream, stream, state, pageSize, {});
    for (const record of records) state.high = highest(state.high, record.cursorValue);
    const out = records.map((record) => record.record);
    if (next) return this.continueWith(out, { ...state, page: next });
    return this.traversalEnded(stream, state, out);
  }

  /** After the last page of a window or traversal: the next window, the deletions, or the end. */
  private traversalEnded(stream: StreamDocument, state: StreamCursor, records: ConnectorRecord[]): ReadPageResult {
    // A window shorter than the step was capped at "now": it was the last one of this traversal.
    const windowMs = (stream.incremental?.windowSeconds ?? 0) * 1000;
    const startMs = typeof state.start === 'string' ? Date.parse(toIso(state.start) ?? state.start) : Number.NaN;
    if (windowMs > 0 && state.end !== null && Date.parse(state.end) - startMs >= windowMs) {
      return this.continueWith(records, { ...state, start: state.end, end: this.windowEnd(stream, state.end), page: null });
    }
    if (stream.deletes?.endpoint && state.deletesStart !== null) return this.continueWith(records, { ...state, phase: 'deletes', page: null });
    return { records, nextCursor: encodeCursor(this.nextTraversal(stream, state)), done: true };
  }

  private continueWith(records: ConnectorRecord[], state: StreamCursor): ReadPageResult {
    return { records, nextCursor: encodeCursor(state), done: false };
  }

  private initialState(stream: StreamDocument): StreamCursor {
    const start = stream.incremental?.start ? (render(stream.incremental.start, this.requester.scope({}, false)) ?? null) : null;
    return { v: 1, phase: 'changes', start, end: null, high: null, startedAt: null, deletesStart: null, page: null };
  }

  /** The cursor the next traversal starts from: the lookback window before the newest change read. */
  private nextTraversal(stream: StreamDocument, state: StreamCursor): StreamCursor {
    const lookbackMs = this.lookbackMs(stream);
    const newest = state.high ?? state.start;
    const start = !stream.incremental || newest === null ? null : typeof newest === 'number' ? newest : lookBack(toIso(newest) ?? newest, lookbackMs);
    const deletesStart = stream.deletes?.endpoint && state.startedAt ? lookBack(state.startedAt, lookbackMs) : null;
    return { v: 1, phase: 'changes', start, end: null, high: null, startedAt: null, deletesStart, page: null };
  }

  private lookbackMs(stream: StreamDocument): number {
    const configured = this.context.config.cursorLookbackSeconds;
    return (typeof configured === 'number' ? configured : (stream.incremental?.lookbackSeconds ?? 0)) * 1000;
  }

  private windowEnd(stream: StreamDocument, start: string): string {
    const end = Date.parse(toIso(start) ?? start) + stream.incremental!.windowSeconds! * 1000;
    return new Date(Math.min(end, Date.now())).toISOString();
  }

  private async readDeletes(stream: StreamDocument, state: StreamCursor, pageSize: number): Promise<ReadPageResult> {
    const endpoint = stream.deletes!.endpoint!;
    const params = { ...endpoint.params };
    const scopeExtra: ExpressionScope = { cursor: { start: state.deletesStart, deletedSince: state.deletesStart } };
    const { records, next } = await this.fetchPage(stream, { ...endpoint, params }, state, pageSize, scopeExtra, {
      primaryKey: endpoint.primaryKey,
      deleted: true,
      sinceParam: endpoint.sinceParam,
    });
    const out = records.map((record) => record.record);
    if (next) return this.continueWith(out, { ...state, page: next });
    return { records: out, nextCursor: encodeCursor(this.nextTraversal(stream, state)), done: true };
  }

  /** A child stream: its request once per key of its parent's records, parent pages read as they are needed. */
  private async readChild(stream: StreamDocument, state: StreamCursor, pageSize: number): Promise<ReadPageResult> {
    const parentState = state.parent ?? { cursor: null, keys: [], index: 0, done: false };
    if (parentState.index >= parentState.keys.length) {
      if (parentState.done) return { records: [], nextCursor: encodeCursor(this.nextTraversal(stream, state)), done: true };
      const parentPage = await this.readPage(stream.parent!.stream, parentState.cursor, pageSize);
      const keys = parentPage.records.map((record) => resolvePointer(record.data, stream.parent!.key)).filter((key) => key !== undefined && key !== null);
      return this.continueWith([], { ...state, page: null, parent: { cursor: parentPage.nextCursor, keys, index: 0, done: parentPage.done } });
    }
    const key = parentState.keys[parentState.index];
    const { records, next } = await this.fetchPage(stream, stream, state, pageSize, { parent: { key } });
    const out = records.map((record) => record.record);
    if (next) return this.continueWith(out, { ...state, page: next });
    return this.continueWith(out, { ...state, page: null, parent: { ...parentState, index: parentState.index + 1 } });
  }

  /** One request of a stream (or its deletions endpoint) and its records, with where the next page is. */
  private async fetchPage(
    stream: StreamDocument,
    request: RequestDocument,
    state: StreamCursor,
    pageSize: number,
    scopeExtra: ExpressionScope,
    deletions?: { primaryKey: string; deleted: true; sinceParam?: string },
  ): Promise<{ records: Array<{ record: ConnectorRecord; cursorValue: string | number | null }>; next: PageState | null }> {
    const size = Math.max(1, Math.min(pageSize, this.maxSize(request.paginator)));
    const scope: ExpressionScope = {
      cursor: { start: this.formatCursor(stream, state.start), end: this.formatCursor(stream, state.end), high: state.high },
      stream: { name: stream.name, pageSize: size },
      ...scopeExtra,
    };
    const params: Record<string, string> = { ...request.params };
    if (deletions?.sinceParam && state.deletesStart) params[deletions.sinceParam] = state.deletesStart;
    const url = state.page?.kind === 'url' ? this.followUrl(state.page.url) : this.url(request.path, params, scope);
    this.applyPaging(url, request.paginator, state.page, size);
    const headers = this.headers(scope, request.headers);
    if (!deletions && stream.incremental?.ifModifiedSince && typeof state.start === 'string') {
      const since = toIso(state.start);
      if (since) headers['If-Modified-Since'] = new Date(since).toUTCString();
    }
    const body = request.method === 'POST' && request.body ? JSON.stringify(this.renderRecord(request.body, scope)) : undefined;
    if (body) headers['Content-Type'] = 'application/json';
    const response = await this.requester.send({ url, method: request.method, headers, body });
    if (response.body === null) return { records: [], next: null };

    const selected = resolvePointer(response.body, request.recordSelector);
    if (selected !== undefined && selected !== null && !Array.isArray(selected)) {
      throw new ConfigError(
        `${this.definition.name}: stream ${stream.name}: the record selector ${request.recordSelector || '(root)'} is not an array in the answer`,
      );
    }
    const raw = (selected ?? []) as unknown[];
    const records = raw.map((item) => this.toRecord(stream, item, deletions));
    return { records, next: this.nextPage(request.paginator, response, state.page, raw.length, size) };
  }

  private toRecord(
    stream: StreamDocument,
    item: unknown,
    deletions?: { primaryKey: string },
  ): { record: ConnectorRecord; cursorValue: string | number | null } {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new ConfigError(`${this.definition.name}: stream ${stream.name}: a record is not an object`);
    const source = item as Record<string, unknown>;
    const id = resolvePointer(source, deletions?.primaryKey ?? stream.primaryKey);
    if (id === undefined || id === null || typeof id === 'object')
      throw new ConfigError(`${this.definition.name}: stream ${stream.name}: a record has no primary key at ${deletions?.primaryKey ?? stream.primaryKey}`);
    const rawCursor = stream.incremental ? resolvePointer(source, stream.incremental.cursorField) : undefined;
    const cursorValue = typeof rawCursor === 'string' || typeof rawCursor === 'number' ? rawCursor : null;
    const sourceUpdatedAt = stream.incremental?.type === 'datetime' && cursorValue !== null ? (toIso(cursorValue) ?? null) : null;
    const softDelete = stream.deletes?.softDelete;
    let deleted = Boolean(deletions);
    if (!deleted && softDelete) {
      const marker = resolvePointer(source, softDelete.field);
      deleted = softDelete.equals === undefined ? marker !== undefined && marker !== null && marker !== false : marker === softDelete.equals;
    }
    const data = applyTransformations(source, stream.transformations);
    return { record: { externalId: String(id), sourceUpdatedAt, ...(deleted ? { deleted: true } : {}), data }, cursorValue };
  }

  private maxSize(paginator: PaginatorDocument): number {
    return paginator.type === 'none' ? Number.MAX_SAFE_INTEGER : paginator.maxSize;
  }

  private applyPaging(url: URL, paginator: PaginatorDocument, page: PageState | null, size: number): void {
    switch (paginator.type) {
      case 'cursor':
        if (paginator.sizeParam && !url.searchParams.has(paginator.sizeParam)) url.searchParams.set(paginator.sizeParam, String(size));
        if (paginator.param && page?.kind === 'token') url.searchParams.set(paginator.param, page.token);
        return;
      case 'link_header':
        if (paginator.sizeParam && !url.searchParams.has(paginator.sizeParam)) url.searchParams.set(paginator.sizeParam, String(size));
        return;
      case 'offset':
        url.searchParams.set(paginator.limitParam, String(size));
        url.searchParams.set(paginator.offsetParam, String(page?.kind === 'offset' ? page.offset : 0));
        return;
      case 'page_number':
        if (paginator.sizeParam) url.searchParams.set(paginator.sizeParam, String(size));
        url.searchParams.set(paginator.pageParam, String(page?.kind === 'page' ? page.page : paginator.startAt));
        return;
      case 'none':
        return;
    }
  }

  /** Where the next page is, or null when the paginator's stop condition holds. */
  private nextPage(paginator: PaginatorDocument, response: IncomingResponse, page: PageState | null, count: number, size: number): PageState | null {
    if (paginator.type !== 'none' && paginator.type !== 'link_header' && paginator.stopWhen) {
      if (resolvePointer(response.body, paginator.stopWhen.pointer) === paginator.stopWhen.equals) return null;
    }
    switch (paginator.type) {
      case 'none':
        return null;
      case 'cursor': {
        const next = resolvePointer(response.body, paginator.next);
        if (next === undefined || next === null || next === '' || (typeof next !== 'string' && typeof next !== 'number')) return null;
        return paginator.param ? { kind: 'token', token: String(next) } : { kind: 'url', url: String(next) };
      }
      case 'link_header': {
        const next = linkWithRel(response.headers.get('link'), paginator.rel);
        return next ? { kind: 'url', url: next } : null;
      }
      case 'offset': {
        if (count === 0) return null;
        if (paginator.hasMore !== undefined) {
          if (resolvePointer(response.body, paginator.hasMore) !== true) return null;
        } else if (count < size) return null;
        return { kind: 'offset', offset: (page?.kind === 'offset' ? page.offset : 0) + count };
      }
      case 'page_number': {
        const current = page?.kind === 'page' ? page.page : paginator.startAt;
        if (count === 0) return null;
        if (paginator.totalPages !== undefined) {
          const total = Number(resolvePointer(response.body, paginator.totalPages));
          if (Number.isFinite(total) && current + (1 - paginator.startAt) >= total) return null;
        } else if (count < size) return null;
        return { kind: 'page', page: current + 1 };
      }
    }
  }

  private stream(name: string): StreamDocument {
    const stream = this.definition.streams.find((candidate) => candidate.name === name);
    if (!stream) throw new ConfigError(`${this.definition.name} has no stream "${name}"`);
    return stream;
  }

  /** The base URL plus a rendered path and its parameters (a parameter without a value is left out). */
  private url(pathTemplate: string, params: Record<string, string>, scope: ExpressionScope): URL {
    const base = this.requester.baseUrl();
    const path = render(pathTemplate, this.requester.scope(scope, false));
    if (path === undefined) throw new ConfigError(`${this.definition.name}: the path ${pathTemplate} has no value`);
    const url = new URL(`${base}${path.startsWith('/') ? '' : '/'}${path}`);
    if (url.origin !== new URL(base).origin) throw new ConfigError(`${this.definition.name}: the path leaves the base URL's origin`);
    for (const [name, template] of Object.entries(params)) {
      const value = render(template, this.requester.scope(scope, false));
      if (value !== undefined) url.searchParams.set(name, value);
    }
    return url;
  }

  /** A next-page URL from the answer: relative ones resolve under the base URL; other origins are refused (the token would follow). */
  private followUrl(next: string): URL {
    const base = this.requester.baseUrl();
    const url = /^https?:\/\//i.test(next) ? new URL(next) : new URL(`${base}${next.startsWith('/') ? '' : '/'}${next}`);
    if (url.origin !== new URL(base).origin) throw new ConfigError(`${this.definition.name}: a next-page link points to another origin (${url.origin})`);
    this.context.network.assertAllowedUrl(url.toString());
    return url;
  }

  private headers(scope: ExpressionScope, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries({ ...this.definition.headers, ...extra })) {
      const value = render(template, this.requester.scope(scope, true));
      if (value !== undefined) headers[name] = value;
    }
    return headers;
  }

  private renderRecord(templates: Record<string, string>, scope: ExpressionScope): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, template] of Object.entries(templates)) {
      const value = render(template, this.requester.scope(scope, false));
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  /** A cursor bound as the stream's format asks (ISO 8601, whole seconds, epoch). */
  private formatCursor(stream: StreamDocument, value: string | number | null): string | number | null {
    if (value === null || !stream.incremental) return value;
    const format = stream.incremental.format;
    if (format === 'integer' || typeof value === 'number') return value;
    const iso = toIso(value);
    if (!iso) return value;
    switch (format) {
      case 'iso8601':
        return iso;
      case 'iso8601_seconds':
        return `${iso.slice(0, 19)}Z`;
      case 'epoch_seconds':
        return Math.floor(Date.parse(iso) / 1000);
      case 'epoch_millis':
        return Date.parse(iso);
    }
  }
}

/** The greater of two cursor values (numbers numerically, datetimes by instant). */
function highest(current: string | number | null, candidate: string | number | null): string | number | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  if (typeof current === 'number' && typeof candidate === 'number') return Math.max(current, candidate);
  const a = Date.parse(String(toIso(current) ?? current));
  const b = Date.parse(String(toIso(candidate) ?? candidate));
  if (Number.isFinite(a) && Number.isFinite(b)) return b > a ? candidate : current;
  return String(candidate) > String(current) ? candidate : current;
}

/** The URL of the `rel` link in an RFC 8288 Link header. */
function linkWithRel(header: string | null, rel: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && new RegExp(`;\\s*rel="?([^";]*\\s)?${rel.replace(/[^a-z0-9-]/gi, '')}(\\s[^";]*)?"?`, 'i').test(match[2]!)) return match[1];
  }
  return undefined;
}
