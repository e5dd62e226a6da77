import { z } from 'zod';
import { defineRoute } from '../http/route';

const scimRequestSchema = z.object({
  id: z.string(),
  occurredAt: z.iso.datetime(),
  method: z.string(),
  path: z.string().describe('path and query string as the identity provider sent them'),
  status: z.number().int(),
});

export const listScimRequests = defineRoute({
  method: 'get',
  path: '/v1/scim-requests',
  auth: 'tenant',
  summary: 'The last requests the identity provider made to the SCIM service, newest first (method, path, status; never bodies)',
  tags: ['scim'],
  query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
  responses: { 200: { description: 'The requests', schema: z.object({ requests: z.array(scimRequestSchema) }) } },
  async handler({ deps, principal, query }) {
    const rows: Array<{ id: string; occurred_at: Date; method: string; path: string; status: number }> = await deps.db.withTenant(principal.tenantId, (trx) =>
      trx('scim_requests')
        .orderBy([
          { column: 'occurred_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(query.limit)
        .select('id', 'occurred_at', 'method', 'path', 'status'),
    );
    return {
      status: 200,
      body: {
        requests: rows.map((row) => ({
          id: String(row.id),
          occurredAt: new Date(row.occurred_at).toISOString(),
          method: row.method,
          path: row.path,
          status: row.status,
        })),
      },
    };
  },
});
