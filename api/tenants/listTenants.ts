import { z } from 'zod';
import { USAGE_KINDS, usagePeriodOf } from '../../platform/metering/usageEvent';
import { type Database } from '../../platform/db';
import { defineRoute } from '../http/route';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { tenantSchema, toTenantView, type TenantRow } from './tenantView';

const tenantWithUsageSchema = tenantSchema.extend({
  usage: z.object({
    period: z.string().describe('the current month, YYYY-MM'),
    apiCalls: z.number().int().describe("API calls metered this month (the plan's quota is planLimits.apiCallsPerMonth)"),
    seats: z.number().int().describe('billable users now (invited and active)'),
  }),
});

export const listTenants = defineRoute({
  method: 'get',
  path: '/v1/admin/tenants',
  auth: 'admin',
  summary: "List all tenants with this month's usage (platform admin)",
  tags: ['admin'],
  query: pageQuery,
  responses: { 200: { description: 'A page of tenants, newest first', schema: pageOf(tenantWithUsageSchema) } },
  async handler({ deps, query }) {
    const { rows, total } = await deps.db.withPlatform(async (trx) => {
      const counted = (await trx('tenants').count({ count: '*' }).first()) as { count: string };
      const page = await trx<TenantRow>('tenants')
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit);
      return { rows: page, total: Number(counted.count) };
    });
    await deps.controlPlane.usage.flush();
    const period = usagePeriodOf(new Date());
    const usage = await Promise.all(rows.map((row) => tenantUsage(deps.db, row.id, period)));
    return {
      status: 200,
      body: {
        data: rows.map((row, index) => ({ ...toTenantView(row), usage: { period: period.slice(0, 7), ...usage[index]! } })),
        pagination: pagination(query.page, query.limit, total),
      },
    };
  },
});

/** One tenant's counters, read in its own scope (row-level security keeps them from platform scope). */
async function tenantUsage(db: Database, tenantId: string, period: string): Promise<{ apiCalls: number; seats: number }> {
  const [row] = await db.readAsTenant<{ api_calls: string | null; seats: number | null }>(
    tenantId,
    db.knex.select(
      db.knex.raw(`(select quantity from usage_counters where tenant_id = ? and period = ? and kind = ?) as api_calls`, [
        tenantId,
        period,
        USAGE_KINDS.apiCall,
      ]),
      db.knex.raw(`(select seats from seat_counts where tenant_id = ?) as seats`, [tenantId]),
    ),
  );
  return { apiCalls: Number(row?.api_calls ?? 0), seats: Number(row?.seats ?? 0) };
}
