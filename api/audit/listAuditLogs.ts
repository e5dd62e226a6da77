import { z } from 'zod';
import { defineRoute } from '../http/route';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { auditLogFilterQuery, whereAuditLogFilter } from './auditLogFilter';

const auditEntrySchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  occurredAt: z.iso.datetime(),
  actor: z.object({
    type: z.enum(['api_key', 'user', 'platform_admin', 'system']),
    id: z.string().nullable(),
    role: z.string().nullable(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
  }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string().describe('hash of the previous row of this tenant (64 zeros for the first)'),
  hash: z.string().describe('SHA-256 over this row and prevHash'),
});

interface AuditRow {
  id: string;
  seq: string;
  occurred_at: Date;
  actor_type: z.infer<typeof auditEntrySchema>['actor']['type'];
  actor_id: string | null;
  actor_role: string | null;
  ip: string | null;
  request_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  total: string;
}

export const listAuditLogs = defineRoute({
  method: 'get',
  path: '/v1/audit-logs',
  auth: 'tenant',
  summary: "The tenant's audit log, newest first; filter by action (exact, or a prefix ending in *), actor id and time",
  tags: ['audit'],
  query: pageQuery.extend(auditLogFilterQuery.shape),
  responses: { 200: { description: 'A page of audit entries', schema: pageOf(auditEntrySchema) } },
  async handler({ deps, principal, query }) {
    const { db } = deps;
    const q = whereAuditLogFilter(db.knex('audit_log').where({ tenant_id: principal.tenantId }), query);
    const rows = await db.readAsTenant<AuditRow>(
      principal.tenantId,
      q
        .select('*', db.knex.raw('count(*) over () as total'))
        .orderBy('seq', 'desc')
        .limit(query.limit)
        .offset((query.page - 1) * query.limit),
    );
    const total = rows[0] ? Number(rows[0].total) : 0;
    return {
      status: 200,
      body: {
        data: rows.map((row) => ({
          id: String(row.id),
          seq: Number(row.seq),
          occurredAt: new Date(row.occurred_at).toISOString(),
          actor: { type: row.actor_type, id: row.actor_id, role: row.actor_role, ip: row.ip, requestId: row.request_id },
          action: row.action,
          target: row.target_type && row.target_id ? { type: row.target_type, id: row.target_id } : null,
          details: row.details,
          prevHash: row.prev_hash,
          hash: row.hash,
        })),
        pagination: pagination(query.page, query.limit, total),
      },
    };
  },
});
