import { defineRoute } from '../http/route';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { tenantSchema, toTenantView, type TenantRow } from './tenantView';

export const listTenants = defineRoute({
  method: 'get',
  path: '/v1/admin/tenants',
  auth: 'admin',
  summary: 'List all tenants (platform admin)',
  tags: ['admin'],
  query: pageQuery,
  responses: { 200: { description: 'A page of tenants, newest first', schema: pageOf(tenantSchema) } },
  async handler({ deps, query }) {
    const { rows, total } = await deps.db.withPlatform(async (trx) => {
      const counted = (await trx('tenants').count({ count: '*' }).first()) as { count: string };
      const page = await trx<TenantRow>('tenants')
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit);
      return { rows: page, total: Number(counted.count) };
    });
    return { status: 200, body: { data: rows.map(toTenantView), pagination: pagination(query.page, query.limit, total) } };
  },
});
