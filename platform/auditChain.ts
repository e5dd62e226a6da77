import { type Database } from './db';

/** Where a tenant's audit chain breaks. */
export interface AuditChainBreak {
  seq: number;
  /** `hash` — the row's content no longer matches its hash; `link` — prev_hash is not the previous row's hash; `gap` — a row is missing. */
  problem: 'hash' | 'link' | 'gap';
  message: string;
}

export interface AuditChainReport {
  tenantId: string;
  rows: number;
  /** Hash of the newest row: anchor it elsewhere to detect truncation of the chain's end. */
  head: string | null;
  breaks: AuditChainBreak[];
}

const PAGE = 5_000;
const GENESIS = '0'.repeat(64);

/**
 * Recomputes a tenant's audit chain with the same SQL function the insert trigger uses, page by
 * page in `seq` order, and reports every row whose content, link or position is wrong. Runs as the
 * app role inside the tenant's RLS scope.
 */
export async function verifyAuditChain(db: Database, tenantId: string): Promise<AuditChainReport> {
  const breaks: AuditChainBreak[] = [];
  let previousHash = GENESIS;
  let expectedSeq = 1;
  let rows = 0;
  let head: string | null = null;
  for (;;) {
    const page = await db.readAsTenant<{ seq: string; prev_hash: string; hash: string; recomputed: string }>(
      tenantId,
      db.knex.raw(
        `select a.seq, a.prev_hash, a.hash, audit_log_row_hash(a) as recomputed
           from audit_log a where a.tenant_id = ? and a.seq >= ? order by a.seq limit ?`,
        [tenantId, expectedSeq, PAGE],
      ),
    );
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) breaks.push({ seq, problem: 'gap', message: `rows ${expectedSeq}..${seq - 1} are missing` });
      if (row.prev_hash !== previousHash) breaks.push({ seq, problem: 'link', message: `prev_hash does not match the hash of row ${seq - 1}` });
      if (row.recomputed !== row.hash)
        breaks.push({ seq, problem: 'hash', message: 'the row was changed after it was written (content does not match its hash)' });
      previousHash = row.hash;
      expectedSeq = seq + 1;
      head = row.hash;
      rows += 1;
    }
    if (page.length < PAGE) break;
  }
  return { tenantId, rows, head, breaks };
}

/** Verifies every tenant's chain (or the listed slugs'). */
export async function verifyAllAuditChains(db: Database, slugs?: string[]): Promise<Array<AuditChainReport & { slug: string }>> {
  const tenants = await db.withPlatform((trx) => {
    const q = trx('tenants').select('id', 'slug').orderBy('slug');
    if (slugs && slugs.length > 0) q.whereIn('slug', slugs);
    return q as Promise<Array<{ id: string; slug: string }>>;
  });
  const reports: Array<AuditChainReport & { slug: string }> = [];
  for (const tenant of tenants) reports.push({ ...(await verifyAuditChain(db, tenant.id)), slug: tenant.slug });
  return reports;
}
