import { z } from 'zod';
import { type InvoiceRow } from '../../platform/billing/invoiceRecord';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { UUID } from '../jobs/jobParams';
import { invoiceSchema, toInvoiceView } from './invoiceView';

export const getInvoice = defineRoute({
  method: 'get',
  path: '/v1/invoices/:id',
  auth: 'tenant',
  summary: 'One invoice: lines, totals, Stripe ids, status, hosted URL',
  tags: ['billing'],
  allowWhenSuspended: true,
  params: z.strictObject({ id: z.string() }),
  responses: { 200: { description: 'The invoice', schema: z.object({ invoice: invoiceSchema }) }, 404: { description: 'No such invoice for this tenant' } },
  async handler({ deps, principal, params }) {
    if (!UUID.test(params.id)) throw errors.notFound('Invoice');
    const [row] = await deps.db.readAsTenant<InvoiceRow>(principal.tenantId, deps.db.knex('invoices').where({ id: params.id }));
    if (!row) throw errors.notFound('Invoice');
    return { status: 200, body: { invoice: toInvoiceView(row) } };
  },
});
