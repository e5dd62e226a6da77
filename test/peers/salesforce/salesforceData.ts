/**
 * The Salesforce peer's org: generated records per object, with SystemModstamp, a recycle bin
 * (IsDeleted records queryAll still returns) and the deleted-records log behind /deleted.
 */
export type SalesforceRecord = Record<string, unknown> & { Id: string; SystemModstamp: string; IsDeleted: boolean };

export interface DeletedEntry {
  id: string;
  deletedDate: string;
}

const PREFIX: Record<string, string> = { Account: '001', Contact: '003', Opportunity: '006' };
const INDUSTRIES = ['Healthcare', 'Banking', 'Retail', 'Manufacturing', 'Education', 'Technology'];
const STAGES = ['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost'];

/** Describe metadata: field names and types per object. */
export const OBJECT_FIELDS: Record<string, Array<{ name: string; type: string }>> = {
  Account: fields(['Name:string', 'Industry:picklist', 'AnnualRevenue:currency', 'NumberOfEmployees:int', 'External_Id__c:string']),
  Contact: fields(['FirstName:string', 'LastName:string', 'Email:email', 'AccountId:reference', 'External_Id__c:string']),
  Opportunity: fields(['Name:string', 'Amount:currency', 'StageName:picklist', 'CloseDate:date', 'AccountId:reference', 'External_Id__c:string']),
};

function fields(specs: string[]) {
  const common = ['Id:id', 'IsDeleted:boolean', 'CreatedDate:datetime', 'LastModifiedDate:datetime', 'SystemModstamp:datetime'];
  return [...common, ...specs].map((spec) => {
    const [name, type] = spec.split(':') as [string, string];
    return { name, type };
  });
}

/** 18-character id: object prefix, zero-padded sequence, fixed suffix. */
export function salesforceId(objectType: string, sequence: number): string {
  return `${PREFIX[objectType] ?? 'a00'}${String(sequence).padStart(12, '0')}AAA`;
}

/** Time between two seeded records' SystemModstamps. */
const SEED_SPACING_MS = 1_000;

export class SalesforceOrg {
  readonly objects = new Map<string, Map<string, SalesforceRecord>>();
  readonly deletedLog = new Map<string, DeletedEntry[]>();
  private clock: number;
  private sequence = 0;
  private seeding = true;

  constructor(counts: Record<string, number>) {
    // Seeded records get past stamps a second apart, as an org's history spreads over time (an
    // incremental read's lookback window then holds a few hundred of them, not all); the org clock
    // never runs ahead of the wall clock.
    this.clock = Date.now() - Object.values(counts).reduce((sum, count) => sum + count, 0) * SEED_SPACING_MS - 1_000;
    for (const type of Object.keys(OBJECT_FIELDS)) {
      this.objects.set(type, new Map());
      this.deletedLog.set(type, []);
      for (let index = 0; index < (counts[type] ?? 0); index += 1) this.insert(type, {});
    }
    this.seeding = false;
  }

  /** Strictly increasing timestamps (one millisecond apart at least), never behind the wall clock. */
  private tick(): string {
    this.clock = this.seeding ? this.clock + SEED_SPACING_MS : Math.max(this.clock + 1, Date.now());
    return new Date(this.clock).toISOString().replace('Z', '+0000');
  }

  insert(type: string, values: Record<string, unknown>): SalesforceRecord {
    this.sequence += 1;
    const n = this.sequence;
    const stamp = this.tick();
    const base: SalesforceRecord = { Id: salesforceId(type, n), IsDeleted: false, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp };
    const generated: Record<string, unknown> =
      type === 'Account'
        ? {
            Name: `Account ${n}`,
            Industry: INDUSTRIES[n % INDUSTRIES.length],
            AnnualRevenue: (n % 97) * 10_000,
            NumberOfEmployees: n % 5000,
            External_Id__c: null,
          }
        : type === 'Contact'
          ? {
              FirstName: `First${n}`,
              LastName: `Last${n}`,
              Email: `contact${n}@example.test`,
              AccountId: salesforceId('Account', Math.max(1, n % 1000)),
              External_Id__c: null,
            }
          : {
              Name: `Opportunity ${n}`,
              Amount: (n % 50) * 1000,
              StageName: STAGES[n % STAGES.length],
              CloseDate: '2026-06-30',
              AccountId: salesforceId('Account', Math.max(1, n % 1000)),
              External_Id__c: null,
            };
    const record = { ...base, ...generated, ...values } as SalesforceRecord;
    this.table(type).set(record.Id, record);
    return record;
  }

  table(type: string): Map<string, SalesforceRecord> {
    const table = this.objects.get(type);
    if (!table) throw new Error(`unknown object ${type}`);
    return table;
  }

  /** Changes `values` on a record and bumps its SystemModstamp. */
  update(type: string, id: string, values: Record<string, unknown>): SalesforceRecord {
    const record = this.table(type).get(id);
    if (!record || record.IsDeleted) throw new Error(`no live ${type} ${id}`);
    const stamp = this.tick();
    Object.assign(record, values, { LastModifiedDate: stamp, SystemModstamp: stamp });
    return record;
  }

  /** Moves a record to the recycle bin (IsDeleted) and logs it for /deleted. */
  delete(type: string, id: string): void {
    const record = this.table(type).get(id);
    if (!record || record.IsDeleted) throw new Error(`no live ${type} ${id}`);
    const stamp = this.tick();
    Object.assign(record, { IsDeleted: true, SystemModstamp: stamp });
    this.deletedLog.get(type)!.push({ id, deletedDate: stamp });
  }

  /** Hard delete (emptied recycle bin): only /deleted still knows it. */
  purge(type: string, id: string): void {
    const record = this.table(type).get(id);
    if (record && !record.IsDeleted) this.delete(type, id);
    this.table(type).delete(id);
  }

  findByField(type: string, field: string, value: unknown): SalesforceRecord | undefined {
    for (const record of this.table(type).values()) if (!record.IsDeleted && record[field] === value) return record;
    return undefined;
  }
}

/** Compares Salesforce datetimes (`2026-01-01T00:00:00.000+0000`). */
export function sfTime(value: string): number {
  return Date.parse(value.replace(/\+0000$/, 'Z'));
}
