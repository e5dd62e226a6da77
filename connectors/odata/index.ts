import { decodeCursor, encodeCursor } from '../cursor';
import { ConfigError, type ConnectorError } from '../errors';
import { type ConnectorContext, type ConnectorRecord, defineConnector, type ReadPageResult, type StreamDefinition } from '../types';
import { type EntitySetInfo, parseEdmx, type ServiceMetadata } from './edmxMetadata';
import { DEFAULT_LOOKBACK_SECONDS, lookBack, lookbackMs } from '../lookback';
import { type ODataCursor, odataCursorSchema } from './cursor';
import { entitySetUrl, incrementalFilter, keyPredicate, traversalFilter } from './query';
import { ODataHttp } from './odataHttp';
import { type ODataConfig, odataConfigSchema, type ODataCredentials, odataCredentialsSchema, modifiedFieldOf } from './schemas';

const MAX_PAGE = 5000;
const DATE_TYPES = new Set(['Edm.DateTimeOffset', 'Edm.DateTime', 'Edm.Date']);

/**
 * OData v4 services (SAP S/4HANA, Dynamics 365, Oracle, SAP CAP, …) over the guarded fetch.
 * `$metadata` (EDMX, parsed with fast-xml-parser) tells the entity sets, keys and property types;
 * a traversal filters `modifiedField ge <cursor − cursorLookbackSeconds>` (default 120; see
 * odataQuery.ts) ordered by (modifiedField, key) and follows the server's `@odata.nextLink`
 * paging, with `Prefer: odata.maxpagesize` as the page-size hint.
 *
 * Deletions: OData v4 queries return no tombstones. With `deletedField` (a soft-delete marker that
 * also bumps `modifiedField`) deleted rows arrive as records with `deleted: true`. Rows removed
 * outright are found by the sync engine's full-refresh sweep (rows not seen in a full pass).
 */
export const odataConnector = defineConnector({
  type: 'odata',
  displayName: 'OData v4 (SAP S/4HANA, Dynamics 365, Oracle)',
  configSchema: odataConfigSchema,
  credentialsSchema: odataCredentialsSchema,
  urlFields: ['serviceUrl'],
  streams: (config): StreamDefinition[] =>
    config.entitySets.map((name) => ({
      name,
      primaryKey: '(entity key from $metadata)',
      cursorField: modifiedFieldOf(config),
      supportsDeletes: Boolean(config.deletedField),
      writable: false,
    })),
  create: (context) => new ODataConnector(context),
});

class ODataConnector {
  private readonly http: ODataHttp;
  private metadata: Promise<ServiceMetadata> | null = null;

  constructor(private readonly context: ConnectorContext<ODataConfig, ODataCredentials>) {
    this.http = new ODataHttp(context);
  }

  async testConnection(): Promise<{ details: Record<string, unknown> }> {
    const sets = await Promise.all(this.context.config.entitySets.map((name) => this.entitySet(name)));
    const first = sets[0]!;
    const sample = await this.http.getJson<{ value?: unknown[] }>(
      entitySetUrl(this.context.config.serviceUrl, first.name, { $top: '1', $select: first.keys.join(',') }),
    );
    return { details: { entitySets: sets.map((set) => ({ name: set.name, keys: set.keys })), sampleRows: sample.value?.length ?? 0 } };
  }

  async readPage(stream: string, cursor: string | null, pageSize: number): Promise<ReadPageResult> {
    const set = await this.entitySet(stream);
    const modifiedField = modifiedFieldOf(this.context.config);
    const position: ODataCursor = decodeCursor(odataCursorSchema, cursor, 'odata') ?? { since: null, lastKey: null, next: null };
    const size = Math.max(1, Math.min(MAX_PAGE, Math.floor(pageSize)));
    const headers = { Prefer: `odata.maxpagesize=${size}` };

    let body: { value?: Array<Record<string, unknown>>; '@odata.nextLink'?: string };
    if (position.next) {
      try {
        body = await this.http.getJson(new URL(position.next, `${this.context.config.serviceUrl.replace(/\/+$/, '')}/`).toString(), headers);
      } catch (error) {
        // An expired or refused skiptoken: the same position as a fresh keyset query.
        if (!isRejectedLink(error)) throw error;
        this.context.logger.info({ connectorId: this.context.connectorId, stream }, 'odata: next link rejected, continuing from the keyset position');
        body = await this.http.getJson(this.queryUrl(set, modifiedField, position, 'resume'), headers);
      }
    } else {
      body = await this.http.getJson(this.queryUrl(set, modifiedField, position, 'start'), headers);
    }

    const rows = body.value ?? [];
    const keys = set.keys.map((name) => ({ name, type: set.properties.get(name) ?? 'Edm.String' }));
    const records = rows.map((row) => this.toRecord(row, keys, modifiedField));
    const last = rows[rows.length - 1];
    const next: ODataCursor = {
      since: last ? ((last[modifiedField] as string | null) ?? position.since) : position.since,
      lastKey: last && keys.length === 1 ? (last[keys[0]!.name] as string | number) : last ? null : position.lastKey,
      next: body['@odata.nextLink'] ?? null,
    };
    return { records, nextCursor: encodeCursor(next), done: next.next === null };
  }

  /** A fresh query: a traversal's `start` (the lookback window before `since`), or its `resume` after the last row read. */
  private queryUrl(set: EntitySetInfo, modifiedField: string, position: ODataCursor, kind: 'start' | 'resume'): string {
    const keys = set.keys.map((name) => ({ name, type: set.properties.get(name) ?? 'Edm.String' }));
    const modifiedType = set.properties.get(modifiedField)!;
    const lookback = lookbackMs(this.context.config.cursorLookbackSeconds, DEFAULT_LOOKBACK_SECONDS.odata);
    return entitySetUrl(this.context.config.serviceUrl, set.name, {
      $filter:
        kind === 'start'
          ? traversalFilter(modifiedField, modifiedType, position.since === null ? null : lookBack(position.since, lookback))
          : incrementalFilter(modifiedField, modifiedType, keys, position),
      $orderby: [`${modifiedField} asc`, ...keys.map((key) => `${key.name} asc`)].join(','),
    });
  }

  private toRecord(row: Record<string, unknown>, keys: Array<{ name: string; type: string }>, modifiedField: string): ConnectorRecord {
    const data = Object.fromEntries(Object.entries(row).filter(([name]) => !name.includes('@odata.')));
    const modified = row[modifiedField];
    const parsed = typeof modified === 'string' ? Date.parse(modified) : NaN;
    const deletedField = this.context.config.deletedField;
    return {
      externalId: keyPredicate(row, keys),
      sourceUpdatedAt: Number.isFinite(parsed) ? new Date(parsed).toISOString() : null,
      ...(deletedField && isSet(row[deletedField]) ? { deleted: true } : {}),
      data,
    };
  }

  /** The entity set from `$metadata` (read once per instance), checked against the configuration. */
  private async entitySet(name: string): Promise<EntitySetInfo> {
    const { config } = this.context;
    if (!config.entitySets.includes(name)) throw new ConfigError(`odata: ${name} is not one of the configured entitySets`, 'UNKNOWN_STREAM');
    this.metadata ??= this.http.getText(`${config.serviceUrl.replace(/\/+$/, '')}/$metadata`, { Accept: 'application/xml' }).then(parseEdmx);
    let metadata: ServiceMetadata;
    try {
      metadata = await this.metadata;
    } catch (error) {
      this.metadata = null;
      throw error;
    }
    const set = metadata.entitySets.get(name);
    if (!set)
      throw new ConfigError(`odata: entity set ${name} is not in $metadata (available: ${[...metadata.entitySets.keys()].join(', ')})`, 'UNKNOWN_ENTITY_SET');
    if (!set.keys.length) throw new ConfigError(`odata: entity set ${name} has no key in $metadata`, 'NO_KEY');
    const modifiedField = modifiedFieldOf(config);
    const modifiedType = set.properties.get(modifiedField);
    if (!modifiedType) throw new ConfigError(`odata: ${name} has no property ${modifiedField} (set modifiedField)`, 'NO_MODIFIED_FIELD');
    if (!DATE_TYPES.has(modifiedType)) throw new ConfigError(`odata: ${name}.${modifiedField} is ${modifiedType}, not a date/time`, 'NO_MODIFIED_FIELD');
    if (config.deletedField && !set.properties.has(config.deletedField))
      throw new ConfigError(`odata: ${name} has no property ${config.deletedField} (deletedField)`, 'NO_DELETED_FIELD');
    return set;
  }
}

/** A soft-delete marker counts as set unless null, false, 0, '' or 'false'. */
function isSet(value: unknown): boolean {
  return !(value === null || value === undefined || value === false || value === 0 || value === '' || value === 'false');
}

/** 4xx answers to a stored next link (expired skiptoken) other than auth and throttling. */
function isRejectedLink(error: unknown): boolean {
  const connectorError = error as ConnectorError;
  return connectorError?.kind === 'config' && typeof connectorError.code === 'number' && connectorError.code >= 400 && connectorError.code < 500;
}
