import { z } from 'zod';
import { apiCallOverageCents, PLANS, scanOverageCents, seatOverageCents } from '../../platform/billing/catalogue';
import { USAGE_KINDS } from '../../platform/metering/usageEvent';
import { jobOutcomes, usageGroups, type UsageGroup } from './usageQueries';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { BILLABLE_USER_STATUSES } from '../users/userView';

const TOP_ENDPOINTS = 5;

const outcomeSchema = z.object({
  total: z.number().int().describe('ended in the period: completed + completedWithErrors + failed + cancelled'),
  completed: z.number().int(),
  completedWithErrors: z.number().int().describe('ended, but some of their items failed'),
  failed: z.number().int(),
  cancelled: z.number().int(),
  successRate: z
    .number()
    .nullable()
    .describe('completed / (completed + completedWithErrors + failed), 0–1; null when none ended (cancellations are not failures)'),
});
const trendSchema = z.object({
  current: z.number(),
  previous: z.number(),
  changePercent: z.number().nullable().describe('(current − previous) / previous × 100, one decimal; null when previous is 0'),
});

const dashboardSchema = z.object({
  period: z.object({ month: z.string(), from: z.iso.datetime(), to: z.iso.datetime() }),
  previousPeriod: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }).describe('the same stretch of the month before'),
  activeUsers: z.number().int().describe('users with status active'),
  users: z.object({
    active: z.number().int(),
    invited: z.number().int(),
    suspended: z.number().int(),
    billableSeats: z.number().int(),
    includedSeats: z.number().int(),
  }),
  apiCalls: z.object({
    total: z.number().int().describe('authenticated requests in the period (billed or refused by limits)'),
    billable: z.number().int().describe('requests admitted by the limits (what the quota counts)'),
    errors: z.number().int().describe('answers with status ≥ 400'),
    errorRate: z.number().nullable(),
    avgLatencyMs: z.number().nullable(),
  }),
  quota: z.object({
    limit: z.number().int(),
    used: z.number().int(),
    remaining: z.number().int(),
    percentUsed: z.number().describe('used / limit × 100, one decimal'),
    policy: z.enum(['refuse', 'bill_overage']),
  }),
  monthToDateCost: z.object({
    currency: z.literal('usd'),
    planCents: z.number().int(),
    seatOverageCents: z.number().int(),
    apiCallOverageCents: z.number().int(),
    scanOverageCents: z.number().int(),
    totalCents: z.number().int().describe('estimate of the invoice for the month so far'),
  }),
  jobs: outcomeSchema.describe('every job kind, syncs included'),
  syncs: outcomeSchema.describe('jobs of kind sync'),
  jobSuccessRate: z.number().nullable(),
  syncSuccessRate: z.number().nullable(),
  recordsSynced: z.number().int().describe('usage kind sync_records'),
  scans: z.number().int().describe('usage kind scan'),
  topEndpoints: z.array(z.object({ endpoint: z.string(), calls: z.number().int(), errors: z.number().int(), avgLatencyMs: z.number().nullable() })),
  trend: z.object({ apiCalls: trendSchema, jobsCompleted: trendSchema, jobSuccessRate: trendSchema.nullable(), recordsSynced: trendSchema }),
  daily: z.array(z.object({ day: z.string(), apiCalls: z.number().int(), errors: z.number().int() })).describe('API calls per UTC day of the period'),
});

type Outcomes = z.infer<typeof outcomeSchema>;

export const getDashboard = defineRoute({
  method: 'get',
  path: '/v1/analytics/dashboard',
  auth: 'tenant',
  summary:
    'Headline figures: active users, API calls and quota use, month-to-date cost, job and sync success, records synced, top endpoints, trend vs the previous period',
  tags: ['analytics'],
  quotaExempt: true,
  query: z.strictObject({
    month: z
      .string()
      .regex(/^(19|20)\d{2}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM, from 1900-01 to 2099-12')
      .optional()
      .describe('a past month (UTC) instead of the current one, which runs to now'),
  }),
  responses: { 200: { description: 'Dashboard figures', schema: dashboardSchema } },
  async handler({ deps, principal, query }) {
    const { db } = deps;
    const now = new Date();
    const monthStart = query.month ? new Date(`${query.month}-01T00:00:00.000Z`) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    if (monthStart > now) throw errors.validation([{ path: 'query.month', message: 'must not be in the future' }]);
    const nextMonth = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1));
    const to = nextMonth < now ? nextMonth : now;
    // The previous period: the same stretch (from the 1st) of the month before, within that month.
    const previousFrom = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() - 1, 1));
    const previousTo = new Date(Math.min(previousFrom.getTime() + (to.getTime() - monthStart.getTime()), monthStart.getTime()));
    await deps.controlPlane.usage.flush();

    const current = { from: monthStart, to, now };
    const previous = { from: previousFrom, to: previousTo, now };
    const [kinds, previousKinds, endpoints, days, jobs, previousJobs, seatRows] = await Promise.all([
      usageGroups(db, principal.tenantId, current, 'kind'),
      usageGroups(db, principal.tenantId, previous, 'kind'),
      usageGroups(db, principal.tenantId, current, 'endpoint', USAGE_KINDS.apiCall),
      usageGroups(db, principal.tenantId, current, 'day', USAGE_KINDS.apiCall),
      jobOutcomes(db, principal.tenantId, current),
      jobOutcomes(db, principal.tenantId, previous),
      db.readAsTenant<{ status: string; count: string }>(
        principal.tenantId,
        db.knex('users').where({ tenant_id: principal.tenantId }).groupBy('status').select('status').count({ count: '*' }),
      ),
    ]);

    const ofKind = (groups: UsageGroup[], kind: string) => groups.find((group) => group.kind === kind);
    const apiCalls = ofKind(kinds, USAGE_KINDS.apiCall);
    const previousApiCalls = ofKind(previousKinds, USAGE_KINDS.apiCall);
    const recordsSynced = ofKind(kinds, USAGE_KINDS.syncRecords)?.quantity ?? 0;
    const scans = ofKind(kinds, USAGE_KINDS.scan)?.quantity ?? 0;

    const plan = PLANS[principal.plan];
    const seatCount = (status: string) => Number(seatRows.find((row) => row.status === status)?.count ?? 0);
    const billableSeats = BILLABLE_USER_STATUSES.reduce((sum, status) => sum + seatCount(status), 0);
    const used = apiCalls?.quantity ?? 0;
    const cost = {
      currency: 'usd' as const,
      planCents: plan.monthlyPriceCents,
      seatOverageCents: seatOverageCents(plan, billableSeats),
      apiCallOverageCents: apiCallOverageCents(plan, used),
      scanOverageCents: scanOverageCents(plan, scans),
      totalCents: 0,
    };
    cost.totalCents = cost.planCents + cost.seatOverageCents + cost.apiCallOverageCents + cost.scanOverageCents;

    const allJobs = summarize(jobs);
    const syncs = summarize(jobs.filter((row) => row.kind === 'sync'));
    const previousAll = summarize(previousJobs);

    return {
      status: 200,
      body: {
        period: { month: monthStart.toISOString().slice(0, 7), from: monthStart.toISOString(), to: to.toISOString() },
        previousPeriod: { from: previousFrom.toISOString(), to: previousTo.toISOString() },
        activeUsers: seatCount('active'),
        users: {
          active: seatCount('active'),
          invited: seatCount('invited'),
          suspended: seatCount('suspended'),
          billableSeats,
          includedSeats: plan.includedSeats,
        },
        apiCalls: {
          total: apiCalls?.events ?? 0,
          billable: used,
          errors: apiCalls?.errors ?? 0,
          errorRate: apiCalls && apiCalls.events > 0 ? round(apiCalls.errors / apiCalls.events, 4) : null,
          avgLatencyMs: apiCalls?.avgLatencyMs ?? null,
        },
        quota: {
          limit: plan.apiCallsPerMonth,
          used,
          remaining: Math.max(0, plan.apiCallsPerMonth - used),
          percentUsed: round((used / plan.apiCallsPerMonth) * 100, 1),
          policy: plan.quotaPolicy,
        },
        monthToDateCost: cost,
        jobs: allJobs,
        syncs,
        jobSuccessRate: allJobs.successRate,
        syncSuccessRate: syncs.successRate,
        recordsSynced,
        scans,
        topEndpoints: [...endpoints]
          .sort((a, b) => b.events - a.events || a.key.localeCompare(b.key))
          .slice(0, TOP_ENDPOINTS)
          .map((group) => ({ endpoint: group.key, calls: group.events, errors: group.errors, avgLatencyMs: group.avgLatencyMs })),
        trend: {
          apiCalls: trend(used, previousApiCalls?.quantity ?? 0),
          jobsCompleted: trend(allJobs.completed, previousAll.completed),
          jobSuccessRate: allJobs.successRate === null || previousAll.successRate === null ? null : trend(allJobs.successRate, previousAll.successRate),
          recordsSynced: trend(recordsSynced, ofKind(previousKinds, USAGE_KINDS.syncRecords)?.quantity ?? 0),
        },
        daily: days.map((group) => ({ day: group.key, apiCalls: group.quantity, errors: group.errors })),
      },
    };
  },
});

function summarize(rows: Array<{ outcome: string; count: number }>): Outcomes {
  const count = (outcome: string) => rows.filter((row) => row.outcome === outcome).reduce((sum, row) => sum + row.count, 0);
  const completed = count('completed');
  const completedWithErrors = count('completed_with_errors');
  const failed = count('failed');
  const cancelled = count('cancelled');
  const ended = completed + completedWithErrors + failed;
  return {
    total: ended + cancelled,
    completed,
    completedWithErrors,
    failed,
    cancelled,
    successRate: ended > 0 ? round(completed / ended, 4) : null,
  };
}

function trend(current: number, previous: number) {
  return { current, previous, changePercent: previous === 0 ? null : round(((current - previous) / previous) * 100, 1) };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
