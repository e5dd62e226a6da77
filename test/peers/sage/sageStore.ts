import { seededRandom } from '../http';

/** The Sage Accounting resources the peer serves, and the object types deleted_objects reports them as. */
export const SAGE_RESOURCES = { contacts: 'CONTACT', sales_invoices: 'SALES_INVOICE' } as const;
export type SageResource = keyof typeof SAGE_RESOURCES;

export interface SageRecord {
  id: string;
  displayed_as: string;
  $path: string;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}

/** Sage stamps changes in whole seconds (`2026-01-31T10:00:00Z`). */
export function sageTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** One business's contacts and sales invoices, with the deletions `deleted_objects` reports. */
export class SageStore {
  private readonly tables: Record<SageResource, Map<string, SageRecord>> = { contacts: new Map(), sales_invoices: new Map() };
  readonly deleted: Array<{ id: string; object_type: string; deleted_at: string }> = [];
  private readonly random: () => number;
  private next = 1;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  seed(resource: SageResource, count: number, fromMs: number, toMs: number): string[] {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const stamp = sageTime(fromMs + Math.floor(((toMs - fromMs) * index) / Math.max(1, count)));
      ids.push(this.insert(resource, stamp));
    }
    return ids;
  }

  private insert(resource: SageResource, stamp: string): string {
    const number = this.next++;
    const id = `${resource === 'contacts' ? 'c' : 'si'}${number.toString(16).padStart(12, '0')}${Math.floor(this.random() * 1e8).toString(16)}`;
    const base = { id, $path: `/${resource}/${id}`, created_at: stamp, updated_at: stamp };
    const record: SageRecord =
      resource === 'contacts'
        ? {
            ...base,
            displayed_as: `Contact ${number} (C${number})`,
            name: `Contact ${number}`,
            reference: `C${number}`,
            contact_types: [{ id: 'CUSTOMER' }],
            balance: '0.0',
          }
        : {
            ...base,
            displayed_as: `SI-${number}`,
            invoice_number: `SI-${number}`,
            total_amount: (Math.round(this.random() * 100_000) / 100).toFixed(2),
            status: { id: 'UNPAID' },
            contact: { id: `c${number}` },
          };
    this.tables[resource].set(id, record);
    return id;
  }

  list(resource: SageResource): SageRecord[] {
    return [...this.tables[resource].values()];
  }

  liveIds(resource: SageResource): string[] {
    return [...this.tables[resource].keys()];
  }

  count(resource: SageResource): number {
    return this.tables[resource].size;
  }

  /** Changes the records (a new name or amount) and stamps them now. */
  modify(resource: SageResource, ids: string[]): string[] {
    const stamp = sageTime(Date.now());
    for (const id of ids) {
      const record = this.tables[resource].get(id);
      if (!record) continue;
      record.updated_at = stamp;
      record.displayed_as = `${record.displayed_as} *`;
    }
    return ids;
  }

  remove(resource: SageResource, ids: string[]): string[] {
    const stamp = sageTime(Date.now());
    for (const id of ids) {
      if (this.tables[resource].delete(id)) this.deleted.push({ id, object_type: SAGE_RESOURCES[resource], deleted_at: stamp });
    }
    return ids;
  }
}
