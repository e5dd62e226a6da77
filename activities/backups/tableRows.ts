import { createHash } from 'node:crypto';
import { type Knex } from 'knex';
import { type Database } from '../../platform/db';
import { type TenantTable } from './tenantTables';

/** Runs one page's read in a tenant-scoped transaction: a fresh one per page, or always the same one. */
export type PageReader = <T>(read: (trx: Knex.Transaction) => Promise<T>) => Promise<T>;

/** Each page in a withTenant transaction of its own (consistent per page only). */
export const pagesInOwnTransactions =
  (db: Database, tenantId: string): PageReader =>
  (read) =>
    db.withTenant(tenantId, read);

/** Every page in `trx`: in a REPEATABLE READ transaction, all pages (and tables) share its snapshot. */
export const pagesIn =
  (trx: Knex.Transaction): PageReader =>
  (read) =>
    read(trx);

const PAGE_ROWS = 5_000;

/**
 * Reads a tenant's rows of one table (its stored columns) as Postgres renders them
 * (`to_jsonb(row)::text`: every type round-trips exactly through `jsonb_populate_recordset`), in
 * primary-key order, page by page
 * (keyset pagination on the key's text values), each page read through `pages` (a tenant-scoped
 * transaction: RLS).
 */
export async function* tableRows(pages: PageReader, tenantId: string, table: TenantTable): AsyncGenerator<string[]> {
  const key = table.primaryKey.length > 0 ? table.primaryKey : null;
  let after: string[] | null = null;
  for (;;) {
    const page = (await pages(async (trx) => {
      const keyColumns = key ? key.map((column, index) => `t.${quote(column)}::text as k${index}`).join(', ') : 't.ctid::text as k0';
      const bindings: string[] = [tenantId];
      let where = 't.tenant_id = ?';
      if (after) {
        if (key) {
          where += ` and (${key.map((column) => `t.${quote(column)}`).join(', ')}) > (${key.map(() => '?').join(', ')})`;
        } else {
          where += ' and t.ctid > ?::tid';
        }
        bindings.push(...after);
      }
      const order = key ? key.map((column) => `t.${quote(column)}`).join(', ') : 't.ctid';
      // The page is chosen first and rendered after: otherwise a planner without fresh statistics
      // renders every remaining row before sorting (quadratic over the pages).
      // The table's stored columns only: generated ones (users.api_json) are derived, not backed up.
      const columns = table.columns.map((column) => `t.${quote(column)}`).join(', ');
      const page = `select ${key ? columns : `${columns}, t.ctid`} from ${quote(table.name)} t where ${where} order by ${order} limit ${PAGE_ROWS}`;
      const renderedColumns = key ? keyColumns : 't.ctid::text as k0';
      const outer = key ? order : 't.ctid';
      const rendered = key ? `to_jsonb(t)::text` : `(to_jsonb(t) - 'ctid')::text`;
      return (await trx.raw(`select ${rendered} as row, ${renderedColumns} from (${page}) t order by ${outer}`, bindings)).rows;
    })) as Array<Record<string, string>>;
    if (page.length === 0) return;
    yield page.map((row) => row.row!);
    if (page.length < PAGE_ROWS) return;
    const last = page.at(-1)!;
    after = (key ?? ['ctid']).map((_, index) => last[`k${index}`]!);
  }
}

/** A double-quoted SQL identifier. */
export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * Order-independent checksum of a table's rows: SHA-256 over the sorted SHA-256 of every row's
 * canonical JSON (so a restore into a new tenant, whose ids sort differently, compares equal once
 * its ids are mapped back).
 */
export class TableChecksum {
  private readonly digests: string[] = [];
  add(canonicalRow: string): void {
    this.digests.push(createHash('sha256').update(canonicalRow).digest('hex'));
  }
  get rows(): number {
    return this.digests.length;
  }
  digest(): string {
    const hash = createHash('sha256');
    for (const digest of this.digests.sort()) hash.update(digest);
    return hash.digest('hex');
  }
}
