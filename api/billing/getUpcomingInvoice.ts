import { z } from 'zod';
import { BILLING_CURRENCY, PLANS } from '../../platform/billing/catalogue';
import { computeInvoice } from '../../platform/billing/invoiceLines';
import { readPeriodUsage } from '../../platform/billing/periodUsage';
import { billingPeriod, periodOf } from '../../platform/billing/periods';
import { defineRoute } from '../http/route';
import { invoiceLineSchema, periodUsageSchema } from './invoiceView';

const upcomingSchema = z.object({
  period: z.string(),
  periodStart: z.iso.datetime(),
  periodEnd: z.iso.datetime(),
  asOf: z.iso.datetime(),
  plan: z.string(),
  currency: z.string(),
  lines: z.array(invoiceLineSchema),
  subtotalCents: z.number().int(),
  totalCents: z.number().int(),
  usage: periodUsageSchema,
});

export const getUpcomingInvoice = defineRoute({
  method: 'get',
  path: '/v1/invoices/upcoming',
  auth: 'tenant',
  summary: 'Preview of the current month’s invoice from the usage so far (the daily rollups), priced by the plan catalogue',
  tags: ['billing'],
  allowWhenSuspended: true,
  responses: { 200: { description: 'The invoice the month would get if it ended now', schema: z.object({ invoice: upcomingSchema }) } },
  async handler({ deps, principal }) {
    // This replica's buffered API calls first, so the preview includes the caller's own.
    await deps.controlPlane.usage.flush();
    const now = new Date();
    const period = periodOf(now);
    const usage = await deps.db.withTenant(principal.tenantId, (trx) => readPeriodUsage(trx, principal.tenantId, period));
    const plan = PLANS[principal.plan];
    const computed = computeInvoice(plan, period, usage);
    const { start, end } = billingPeriod(period);
    return {
      status: 200,
      body: {
        invoice: {
          period,
          periodStart: start.toISOString(),
          periodEnd: end.toISOString(),
          asOf: now.toISOString(),
          plan: plan.id,
          currency: BILLING_CURRENCY,
          ...computed,
          usage: { apiCalls: usage.apiCalls, scans: usage.scans, syncedRecords: usage.syncedRecords, peakSeats: usage.peakSeats },
        },
      },
    };
  },
});
