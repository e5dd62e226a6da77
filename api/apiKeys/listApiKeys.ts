import { z } from 'zod';
import { defineRoute } from '../http/route';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { API_KEY_COLUMNS, apiKeyDetailSchema, toApiKeyView, type ApiKeyRow } from './apiKeyView';

export const listApiKeys = defineRoute({
  method: 'get',
  path: '/v1/api-keys',
  auth: 'tenant',
  summary: "The tenant's API keys, newest first (never secrets or hashes)",
  tags: ['api-keys'],
  query: pageQuery.extend({ status: z.enum(['active', 'revoked', 'expired']).optional() }),
  responses: { 200: { description: 'A page of keys', schema: pageOf(apiKeyDetailSchema) } },
  async handler({ deps, principal, query }) {
    const { db } = deps;
    const q = db.knex('api_keys').where({ tenant_id: principal.tenantId });
    if (query.status === 'revoked') q.whereNotNull('revoked_at');
    if (query.status === 'active') q.whereNull('revoked_at').where((w) => w.whereNull('expires_at').orWhere('expires_at', '>', db.knex.fn.now()));
    if (query.status === 'expired') q.whereNull('revoked_at').where('expires_at', '<=', db.knex.fn.now());
    const rows = await db.readAsTenant<ApiKeyRow & { total: string }>(
      principal.tenantId,
      q
        .select(...API_KEY_COLUMNS, db.knex.raw('count(*) over () as total'))
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit),
    );
    const total = rows[0] ? Number(rows[0].total) : 0;
    return { status: 200, body: { data: rows.map((row) => toApiKeyView(row)), pagination: pagination(query.page, query.limit, total) } };
  },
});
