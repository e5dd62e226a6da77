import { stringify } from 'csv-stringify';
import { once } from 'node:events';
import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { defineRoute, RESPONDED } from '../http/route';
import { auditLogFilterQuery, whereAuditLogFilter } from './auditLogFilter';

/** Rows read per query while streaming: bounded memory at any log size. */
const CHUNK_ROWS = 1_000;

export const AUDIT_EXPORT_COLUMNS = [
  'seq',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_role',
  'ip',
  'request_id',
  'action',
  'target_type',
  'target_id',
  'details',
  'hash',
] as const;

type ExportRow = Record<(typeof AUDIT_EXPORT_COLUMNS)[number], unknown>;

export const exportAuditLogs = defineRoute({
  method: 'get',
  path: '/v1/audit-logs/export',
  auth: 'tenant',
  summary:
    'The audit log rows the same filters select (action, actor, from, to), newest first, as a CSV download; the export itself is audited (audit_log.exported) and is not among its own rows',
  tags: ['audit'],
  query: auditLogFilterQuery,
  responses: { 200: { description: 'CSV with a header row: ' + AUDIT_EXPORT_COLUMNS.join(', '), contentType: 'text/csv' } },
  async handler({ deps, principal, query, req, res }) {
    const { db } = deps;
    // The rows up to the newest one now: the export's own audit row (appended next) is not in it.
    const lastSeq = await db.withTenant(principal.tenantId, async (trx) => {
      const [latest] = await trx('audit_log').where({ tenant_id: principal.tenantId }).max({ seq: 'seq' });
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'audit_log.exported',
        details: { filter: query },
      });
      return Number((latest as { seq: string | null } | undefined)?.seq ?? 0);
    });

    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-log-${new Date().toISOString().slice(0, 10)}.csv"`);
    // escape_formulas: a cell starting with = + - @ is prefixed with ' so a spreadsheet does not run it.
    const csv = stringify({ header: true, columns: [...AUDIT_EXPORT_COLUMNS], escape_formulas: true, cast: { date: (value) => value.toISOString() } });
    csv.pipe(res);
    let before = lastSeq + 1;
    for (;;) {
      const rows = await db.readAsTenant<ExportRow & { seq: string }>(
        principal.tenantId,
        whereAuditLogFilter(db.knex('audit_log').where({ tenant_id: principal.tenantId }), query)
          .where('seq', '<', before)
          .select(...AUDIT_EXPORT_COLUMNS)
          .orderBy('seq', 'desc')
          .limit(CHUNK_ROWS),
      );
      for (const row of rows) {
        if (!csv.write({ ...row, details: JSON.stringify(row.details ?? {}) })) await once(csv, 'drain');
      }
      if (rows.length < CHUNK_ROWS) break;
      before = Number(rows.at(-1)!.seq);
    }
    csv.end();
    await once(res, 'finish');
    return RESPONDED;
  },
});
