import { decodeCursor, encodeCursor } from '../cursor';
import { ConfigError } from '../errors';
import { DEFAULT_LOOKBACK_SECONDS, lookBack, lookbackMs } from '../lookback';
import { type ConnectorContext, type ConnectorRecord, defineConnector, type ReadPageResult, type StreamDefinition, type WriteResult } from '../types';
import { BulkExportReader } from './bulkExport';
import { cursorSince, type FhirCursor, fhirCursorSchema, type SearchCursor } from './cursor';
import { loadFhirKit } from './fhirKit';
import { FhirSession } from './session';
import { type FhirConfig, fhirConfigSchema, type FhirCredentials, fhirCredentialsSchema, FHIR_STREAMS } from './schemas';
import { vendorPreset } from './vendorPresets';

/** Streams `write()` accepts (results the hub produces, e.g. batch-scan findings as Observations). */
const WRITABLE_STREAMS = ['Observation'] as const;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Largest `_count` asked for (servers cap it further on their own). */
const MAX_COUNT = 1000;

interface SearchBundle {
  resourceType?: string;
  link?: Array<{ relation?: string; url?: string }>;
  entry?: Array<{ resource?: Record<string, unknown>; search?: { mode?: string } }>;
}

/**
 * FHIR R4 servers (Epic, Oracle Health/Cerner, any R4 server) through fhir-kit-client.
 * - `readMode: search` (default): `GET [base]/<Type>?_lastUpdated=ge<from>&_sort=_lastUpdated&_count=N`,
 *   a traversal starting `cursorLookbackSeconds` (default 300) before the newest `meta.lastUpdated`
 *   already read and paging by keyset on `meta.lastUpdated` (see SearchCursor). Search reports
 *   no deletions (a reconcile run finds them).
 * - `readMode: bulk`: Bulk Data `$export` per stream (`_type`, `_since` with the same lookback),
 *   NDJSON output read page by page, deletions from the manifest's `deleted` files (see BulkExportReader).
 * - `write('Observation', resources)`: `PUT [base]/Observation/<id>` per resource (update as
 *   create with the hub's deterministic id, so a retried write never duplicates); a resource the
 *   server rejects (4xx) is a per-record failure, auth and transient errors fail the call.
 * Authentication: a static bearer token, or SMART Backend Services (see SmartBackendAuth).
 */
export const fhirConnector = defineConnector({
  type: 'fhir',
  displayName: 'FHIR R4 (Epic, Cerner, generic)',
  configSchema: fhirConfigSchema,
  credentialsSchema: fhirCredentialsSchema,
  urlFields: ['baseUrl'],
  streams: (config): StreamDefinition[] =>
    FHIR_STREAMS.map((name) => ({
      name,
      primaryKey: 'id',
      cursorField: 'meta.lastUpdated',
      supportsDeletes: config.readMode === 'bulk',
      writable: (WRITABLE_STREAMS as readonly string[]).includes(name),
    })),
  create: (context) => new FhirConnector(context),
});

class FhirConnector {
  private readonly session: FhirSession;
  private readonly bulk: BulkExportReader;

  constructor(private readonly context: ConnectorContext<FhirConfig, FhirCredentials>) {
    this.session = new FhirSession(context);
    this.bulk = new BulkExportReader(context, this.session, loadFhirKit);
  }

  async testConnection(): Promise<{ details: Record<string, unknown> }> {
    const capability = (await this.session.call('fhir metadata', (client, options) => client.capabilityStatement(options))) as {
      fhirVersion?: string;
      software?: { name?: string; version?: string };
    };
    // An authorised search proves the credentials (metadata is public on most servers).
    await this.session.call('fhir search', (client, options) => client.search({ resourceType: 'Patient', searchParams: { _count: 1 }, options }));
    return {
      details: {
        fhirVersion: capability.fhirVersion ?? null,
        software: capability.software?.name ?? null,
        vendor: vendorPreset(this.context.config).name,
        auth: this.session.tokens.kind,
        ...(this.session.tokens.tokenUrl ? { tokenUrl: await this.session.tokens.tokenUrl() } : {}),
      },
    };
  }

  async readPage(stream: string, cursor: string | null, pageSize: number): Promise<ReadPageResult> {
    if (!(FHIR_STREAMS as readonly string[]).includes(stream))
      throw new ConfigError(`fhir: unknown stream ${stream} (${FHIR_STREAMS.join(', ')})`, 'UNKNOWN_STREAM');
    const stored = decodeCursor(fhirCursorSchema, cursor, 'fhir');
    const size = Math.max(1, Math.min(MAX_COUNT, Math.floor(pageSize)));
    if (this.context.config.readMode === 'bulk') {
      const position = stored?.mode === 'bulk' ? stored : { mode: 'bulk' as const, since: cursorSince(stored), job: null, files: null };
      return this.bulk.readPage(stream, position, size);
    }
    const position: SearchCursor = stored?.mode === 'search' ? stored : { mode: 'search', since: cursorSince(stored), next: null, maxSeen: null };
    return this.search(stream, position, size);
  }

  async write(stream: string, records: Array<Record<string, unknown>>): Promise<WriteResult> {
    if (!(WRITABLE_STREAMS as readonly string[]).includes(stream))
      throw new ConfigError(`fhir: ${stream} is not writable (${WRITABLE_STREAMS.join(', ')})`, 'NOT_WRITABLE');
    const results: WriteResult['results'] = [];
    for (const resource of records) {
      const id = typeof resource.id === 'string' ? resource.id : '';
      if (resource.resourceType !== stream || !FHIR_ID.test(id)) {
        results.push({ externalId: id || undefined, ok: false, error: `a ${stream} resource with a FHIR id is required` });
        continue;
      }
      try {
        await this.session.call(`fhir update ${stream}`, (client, options) => client.update({ resourceType: stream, id, body: resource as never, options }));
        results.push({ externalId: id, ok: true });
      } catch (error) {
        if (error instanceof ConfigError) {
          results.push({ externalId: id, ok: false, error: error.message });
          continue;
        }
        throw error;
      }
    }
    return { results };
  }

  private async search(stream: string, cursor: SearchCursor, size: number): Promise<ReadPageResult> {
    let bundle: SearchBundle;
    // The lower bound of this page's query: the traversal's start (the lookback window before the
    // newest record already read), or the keyset position reached within it.
    const lowerBound =
      cursor.position ??
      (cursor.next
        ? cursor.since
        : cursor.since
          ? lookBack(cursor.since, lookbackMs(this.context.config.cursorLookbackSeconds, DEFAULT_LOOKBACK_SECONDS.fhir))
          : null);
    if (cursor.next) {
      const next = this.session.assertSameOrigin(cursor.next, 'next link');
      try {
        bundle = (await this.session.call(
          `fhir search ${stream} (next)`,
          (client, options) => client.nextPage({ bundle: { resourceType: 'Bundle', link: [{ relation: 'next', url: next }] }, options }) as Promise<unknown>,
        )) as SearchBundle;
      } catch (error) {
        // Next links of some servers expire (paging sessions): ask again from the keyset position.
        if (!(error instanceof ConfigError && typeof error.code === 'number')) throw error;
        this.context.logger.info({ connectorId: this.context.connectorId, stream }, 'fhir: next link rejected, restarting the search');
        return this.search(stream, { ...cursor, next: null, position: lowerBound, atPosition: cursor.position ? cursor.atPosition : [] }, size);
      }
    } else {
      bundle = (await this.session.call(`fhir search ${stream}`, (client, options) =>
        client.search({
          resourceType: stream,
          searchParams: { ...(lowerBound ? { _lastUpdated: `ge${lowerBound}` } : {}), _sort: '_lastUpdated', _count: size },
          options,
        }),
      )) as SearchBundle;
    }
    const resources = (bundle.entry ?? []).filter((entry) => entry.resource && entry.search?.mode !== 'outcome' && entry.resource.resourceType === stream);
    const alreadyAtPosition = new Set(cursor.position ? (cursor.atPosition ?? []) : []);
    const records: ConnectorRecord[] = resources
      .map((entry) => {
        const resource = entry.resource!;
        return {
          externalId: String(resource.id),
          sourceUpdatedAt: (resource.meta as { lastUpdated?: string } | undefined)?.lastUpdated ?? null,
          data: resource,
        };
      })
      .filter(
        (record) =>
          !(alreadyAtPosition.has(record.externalId) && record.sourceUpdatedAt !== null && Date.parse(record.sourceUpdatedAt) === Date.parse(cursor.position!)),
      );
    const stamps = records.map((record) => (record.sourceUpdatedAt ? Date.parse(record.sourceUpdatedAt) : NaN));
    const sorted = stamps.every((stamp, index) => Number.isFinite(stamp) && (index === 0 || stamp >= stamps[index - 1]!));
    const newest = records.reduce<string | null>(
      (max, record) => (record.sourceUpdatedAt && (!max || Date.parse(record.sourceUpdatedAt) > Date.parse(max)) ? record.sourceUpdatedAt : max),
      null,
    );
    const maxSeen = newest && (!cursor.maxSeen || Date.parse(newest) > Date.parse(cursor.maxSeen)) ? newest : cursor.maxSeen;
    const next = bundle.link?.find((link) => link.relation === 'next')?.url ?? null;
    if (!next)
      return {
        records,
        nextCursor: encodeCursor<FhirCursor>({ mode: 'search', since: maxSeen ?? cursor.since, next: null, maxSeen: null, position: null }),
        done: true,
      };
    if (sorted && newest && (!lowerBound || Date.parse(newest) > Date.parse(lowerBound))) {
      const atPosition = records.filter((record) => Date.parse(record.sourceUpdatedAt!) === Date.parse(newest)).map((record) => record.externalId);
      return {
        records,
        nextCursor: encodeCursor<FhirCursor>({ mode: 'search', since: cursor.since, next: null, maxSeen, position: newest, atPosition }),
        done: false,
      };
    }
    // The page did not get past the lower bound (one instant fills it) or the server ignored the
    // sort: follow the server's link until a page moves on.
    const atPosition = [
      ...alreadyAtPosition,
      ...records
        .filter((record) => lowerBound && record.sourceUpdatedAt && Date.parse(record.sourceUpdatedAt) === Date.parse(lowerBound))
        .map((record) => record.externalId),
    ];
    return {
      records,
      nextCursor: encodeCursor<FhirCursor>({ mode: 'search', since: cursor.since, next, maxSeen, position: lowerBound, atPosition }),
      done: false,
    };
  }
}
