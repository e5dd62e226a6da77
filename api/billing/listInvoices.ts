import { z } from 'zod';
import { INVOICE_STATUSES, type InvoiceRow } from '../../platform/billing/invoiceRecord';
import { PERIOD_PATTERN } from '../../platform/billing/periods';
import { defineRoute } from '../http/route';
import { MAX_PAGE_SIZE, pageOf, pagination } from '../http/pagination';
import { invoiceSchema, toInvoiceView } from './invoiceView';

export const listInvoices = defineRoute({
  method: 'get',
  path: '/v1/invoices',
  auth: 'tenant',
  summary: "The tenant's invoices, newest period first, filterable by status and period",
  tags: ['billing'],
  allowWhenSuspended: true,
  query: z.strictObject({
    status: z.enum(INVOICE_STATUSES).optional(),
    period: z.string().regex(PERIOD_PATTERN, 'must be a month, YYYY-MM').optional(),
    page: z.coerce.number().int().min(1).default(1),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .default(25)
      .transform((value) => Math.min(value, MAX_PAGE_SIZE)),
  }),
  responses: { 200: { description: 'A page of invoices', schema: pageOf(invoiceSchema) } },
  async handler({ deps, principal, query }) {
    const filtered = () => {
      const builder = deps.db.knex('invoices').where({ tenant_id: principal.tenantId });
      if (query.status) builder.where({ status: query.status });
      if (query.period) builder.where({ period: query.period });
      return builder;
    };
    const [rows, counted] = await Promise.all([
      deps.db.readAsTenant<InvoiceRow>(
        principal.tenantId,
        filtered()
          .orderBy([{ column: 'period', order: 'desc' }])
          .limit(query.limit)
          .offset((query.page - 1) * query.limit),
      ),
      deps.db.readAsTenant<{ count: string }>(principal.tenantId, filtered().count({ count: '*' })),
    ]);
    return { status: 200, body: { data: rows.map(toInvoiceView), pagination: pagination(query.page, query.limit, Number(counted[0]?.count ?? 0)) } };
  },
});
