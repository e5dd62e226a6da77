import { seededRandom } from '../http';
import { intuitTime } from './intuitFormat';
import { compareValues, fieldValue, matches, type ParsedQuery } from './queryLanguage';

/** Entities the peer serves (what the connector reads and writes). */
export const QBO_ENTITIES = ['Customer', 'Invoice', 'Payment'] as const;
export type QboEntity = (typeof QBO_ENTITIES)[number];

interface StoredEntity {
  data: Record<string, unknown>;
  updatedMs: number;
  deleted: boolean;
}

export class ValidationFailure extends Error {
  constructor(
    message: string,
    readonly detail: string,
    readonly code: string,
    readonly element?: string,
  ) {
    super(message);
  }
}

/** CDC answers at most this many objects per entity (Intuit's limit). */
export const CDC_MAX_PER_ENTITY = 1000;
/** CDC looks back at most 30 days. */
export const CDC_MAX_LOOKBACK_MS = 30 * 24 * 3600 * 1000;

/**
 * One QuickBooks company: entities with Intuit's shape (`Id`, `SyncToken`, `MetaData`), query
 * paging, change data capture including deletions, and creates. Timestamps have whole seconds,
 * like Intuit's `MetaData.LastUpdatedTime`.
 */
export class CompanyStore {
  private readonly entities = new Map<QboEntity, Map<string, StoredEntity>>(QBO_ENTITIES.map((entity) => [entity, new Map()]));
  private nextId = 1;
  private readonly customerIds: string[] = [];
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly now: () => number = Date.now,
  ) {
    this.random = seededRandom(seed);
  }

  /**
   * Adds `count` generated records of `entity`, last updated between `fromMs` and `toMs` (spread
   * evenly, oldest first). Invoices and payments reference existing customers when there are any.
   */
  seed(entity: QboEntity, count: number, fromMs: number, toMs: number): string[] {
    const ids: string[] = [];
    const span = Math.max(0, toMs - fromMs);
    for (let index = 0; index < count; index += 1) {
      const updatedMs = Math.floor((fromMs + (span * index) / Math.max(1, count)) / 1000) * 1000;
      const id = String(this.nextId++);
      this.map(entity).set(id, { data: this.generate(entity, id, updatedMs), updatedMs, deleted: false });
      if (entity === 'Customer') this.customerIds.push(id);
      ids.push(id);
    }
    return ids;
  }

  /**
   * Changes the given records (new SyncToken and LastUpdatedTime) now, or stamped `atMs` — a change
   * whose transaction committed later than its stamp; returns their ids.
   */
  modify(entity: QboEntity, ids: string[], atMs?: number): string[] {
    const updatedMs = atMs ?? this.now();
    for (const id of ids) {
      const stored = this.map(entity).get(id);
      if (!stored || stored.deleted) throw new Error(`${entity} ${id} does not exist`);
      const data = structuredClone(stored.data);
      data.SyncToken = String(Number(data.SyncToken) + 1);
      if (entity === 'Customer') data.Balance = Math.round(this.random() * 1_000_000) / 100;
      else data.PrivateNote = `changed at ${new Date(updatedMs).toISOString()}`;
      data.MetaData = { ...(data.MetaData as object), LastUpdatedTime: intuitTime(updatedMs) };
      this.map(entity).set(id, { data, updatedMs, deleted: false });
    }
    return ids;
  }

  /** Deletes the given records now; CDC then reports them with `status: "Deleted"`. */
  remove(entity: QboEntity, ids: string[]): string[] {
    const updatedMs = this.now();
    for (const id of ids) {
      const stored = this.map(entity).get(id);
      if (!stored || stored.deleted) throw new Error(`${entity} ${id} does not exist`);
      this.map(entity).set(id, { data: stored.data, updatedMs, deleted: true });
    }
    return ids;
  }

  /** Ids of live records, in Id order (for tests choosing what to modify). */
  liveIds(entity: QboEntity): string[] {
    return [...this.map(entity).entries()].filter(([, stored]) => !stored.deleted).map(([id]) => id);
  }

  count(entity: QboEntity): number {
    return this.liveIds(entity).length;
  }

  query(parsed: ParsedQuery): { entity: QboEntity; records: Record<string, unknown>[]; total: number } {
    const entity = this.entityNamed(parsed.entity);
    let records = [...this.map(entity).values()].filter((stored) => !stored.deleted).map((stored) => stored.data);
    records = records.filter((record) => matches(record, parsed.conditions));
    if (parsed.orderBy) {
      const { field, descending } = parsed.orderBy;
      records.sort((a, b) => compareValues(fieldValue(a, field), String(fieldValue(b, field) ?? '')) * (descending ? -1 : 1));
    }
    const total = records.length;
    return { entity, records: records.slice(parsed.startPosition - 1, parsed.startPosition - 1 + parsed.maxResults), total };
  }

  /**
   * Change data capture: every object of `entity` changed at or after `sinceMs`, oldest change
   * first, deletions as `{ domain, status: "Deleted", Id, MetaData }`, at most 1,000.
   */
  changesSince(entity: QboEntity, sinceMs: number): Record<string, unknown>[] {
    return [...this.map(entity).values()]
      .filter((stored) => stored.updatedMs >= sinceMs)
      .sort((a, b) => a.updatedMs - b.updatedMs || Number(a.data.Id) - Number(b.data.Id))
      .slice(0, CDC_MAX_PER_ENTITY)
      .map((stored) =>
        stored.deleted
          ? { domain: 'QBO', status: 'Deleted', Id: stored.data.Id, MetaData: { LastUpdatedTime: intuitTime(stored.updatedMs) } }
          : structuredClone(stored.data),
      );
  }

  /** Creates a Customer or Invoice from a request body, validating like Intuit does (the essentials). */
  create(entity: QboEntity, body: Record<string, unknown>): Record<string, unknown> {
    const updatedMs = this.now();
    if (entity === 'Customer') {
      const name = String(body.DisplayName ?? [body.GivenName, body.FamilyName].filter(Boolean).join(' '));
      if (!name.trim())
        throw new ValidationFailure(
          'Required param missing, need to supply the required value for the API',
          'Required parameter DisplayName is missing in the request',
          '2020',
          'DisplayName',
        );
      const duplicate = [...this.map('Customer').values()].some((stored) => !stored.deleted && stored.data.DisplayName === name);
      if (duplicate) throw new ValidationFailure('Duplicate Name Exists Error', `The name supplied already exists. : ${name}`, '6240');
    } else if (entity === 'Invoice') {
      const customerId = (body.CustomerRef as { value?: string } | undefined)?.value;
      if (!customerId || !this.map('Customer').has(customerId))
        throw new ValidationFailure('Invalid Reference Id', `Invalid Reference Id : Customer ${customerId ?? '(none)'}`, '2500', 'CustomerRef');
      if (!Array.isArray(body.Line) || body.Line.length === 0)
        throw new ValidationFailure(
          'Required param missing, need to supply the required value for the API',
          'Required parameter Line is missing in the request',
          '2020',
          'Line',
        );
    } else {
      throw new ValidationFailure('Operation not supported', `The peer does not create ${entity}`, '2010');
    }
    const id = String(this.nextId++);
    const data: Record<string, unknown> = {
      ...body,
      Id: id,
      SyncToken: '0',
      domain: 'QBO',
      sparse: false,
      MetaData: { CreateTime: intuitTime(updatedMs), LastUpdatedTime: intuitTime(updatedMs) },
    };
    if (entity === 'Customer') data.DisplayName = String(body.DisplayName ?? [body.GivenName, body.FamilyName].filter(Boolean).join(' '));
    if (entity === 'Invoice') {
      const total = (body.Line as Array<{ Amount?: number }>).reduce((sum, line) => sum + (Number(line.Amount) || 0), 0);
      Object.assign(data, { TotalAmt: total, Balance: total, DocNumber: body.DocNumber ?? String(1000 + Number(id)) });
    }
    this.map(entity).set(id, { data, updatedMs, deleted: false });
    if (entity === 'Customer') this.customerIds.push(id);
    return structuredClone(data);
  }

  entityNamed(name: string): QboEntity {
    const entity = QBO_ENTITIES.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (!entity) throw new ValidationFailure('Invalid query', `QueryValidationError: Entity ${name} is not supported`, '4001');
    return entity;
  }

  private map(entity: QboEntity): Map<string, StoredEntity> {
    return this.entities.get(entity)!;
  }

  private generate(entity: QboEntity, id: string, updatedMs: number): Record<string, unknown> {
    const meta = { CreateTime: intuitTime(updatedMs), LastUpdatedTime: intuitTime(updatedMs) };
    const amount = Math.round(this.random() * 500_000) / 100;
    const customerId = this.customerIds.length ? this.customerIds[Math.floor(this.random() * this.customerIds.length)]! : '1';
    const customerRef = { value: customerId, name: `Customer ${customerId}` };
    const txnDate = new Date(updatedMs).toISOString().slice(0, 10);
    switch (entity) {
      case 'Customer':
        return {
          Id: id,
          SyncToken: '0',
          domain: 'QBO',
          sparse: false,
          DisplayName: `Customer ${id}`,
          GivenName: `Given${id}`,
          FamilyName: `Family${id}`,
          PrimaryEmailAddr: { Address: `customer${id}@example.test` },
          Active: true,
          Balance: amount,
          MetaData: meta,
        };
      case 'Invoice':
        return {
          Id: id,
          SyncToken: '0',
          domain: 'QBO',
          sparse: false,
          DocNumber: String(1000 + Number(id)),
          TxnDate: txnDate,
          CustomerRef: customerRef,
          Line: [
            { Id: '1', LineNum: 1, Amount: amount, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '1', name: 'Services' } } },
          ],
          TotalAmt: amount,
          Balance: amount,
          MetaData: meta,
        };
      default:
        return {
          Id: id,
          SyncToken: '0',
          domain: 'QBO',
          sparse: false,
          TxnDate: txnDate,
          CustomerRef: customerRef,
          TotalAmt: amount,
          UnappliedAmt: 0,
          MetaData: meta,
        };
    }
  }
}
