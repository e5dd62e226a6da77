import { z } from 'zod';
import { apiCallOverageCents, PLANS, seatOverageCents } from '../../platform/billing/catalogue';
import { durationMs } from '../../platform/config';
import { storageUsage } from '../../platform/files/storageQuota';
import { USAGE_KINDS, usagePeriodOf } from '../../platform/metering/usageEvent';
import { usageGroups } from '../analytics/usageQueries';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { BILLABLE_USER_STATUSES } from '../users/userView';
import { instant } from '../http/instant';
import { limitUsage, limitUsageSchema } from '../limits/limitUsage';

const groupSchema = z.object({
  key: z.string().describe('the day (YYYY-MM-DD), the endpoint ("GET /v1/users") or the kind'),
  kind: z.string(),
  events: z.number().int().describe('events recorded (requests, for api_call), billed or not'),
  quantity: z.number().int().describe('billable units (refused requests count 0)'),
  costUnits: z.number().int(),
  errors: z.number().int().describe('events with an HTTP status of 400 or more'),
  avgLatencyMs: z.number().nullable(),
});

const usageSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  groupBy: z.enum(['day', 'endpoint', 'kind']),
  data: z.array(groupSchema),
  totals: z.record(z.string(), z.number().int()).describe('quantity per kind over [from, to)'),
  seats: z.object({
    billable: z.number().int(),
    active: z.number().int(),
    invited: z.number().int(),
    suspended: z.number().int(),
    included: z.number().int(),
    overageCents: z.number().int(),
  }),
  quota: z.object({
    period: z.string().describe('current month, YYYY-MM'),
    limit: z.number().int(),
    used: z.number().int(),
    remaining: z.number().int(),
    raisedUntil: z.iso.datetime().nullable().describe('when a scheduled raise of the quota (tenant.apiCallsPerMonth) ends'),
    policy: z.enum(['refuse', 'bill_overage']),
    overageCalls: z.number().int(),
    overageCents: z.number().int(),
  }),
  limits: z
    .array(limitUsageSchema)
    .describe("the tenant's and the caller's own limits that are set (settings.limits, scheduled raises), with what is left this period"),
  storage: z.object({
    usedBytes: z.number().int().describe('bytes of uploads and job outputs that have not expired'),
    files: z.number().int(),
    quotaBytes: z.number().int().describe("the plan's storage quota; uploads and exports past it are refused (413 STORAGE_QUOTA_EXCEEDED)"),
    remainingBytes: z.number().int(),
    retentionSeconds: z.number().int().describe('how long uploads and job outputs are kept before they are deleted (HUB_FILE_RETENTION)'),
  }),
});

export const getUsage = defineRoute({
  method: 'get',
  path: '/v1/usage',
  auth: 'tenant',
  summary: 'Metered usage (API calls, scans, synced records …) grouped by day, endpoint or kind; seats; the month’s quota; storage',
  tags: ['usage'],
  quotaExempt: true,
  query: z.strictObject({
    from: instant().optional().describe('inclusive; default: the start of the current month (UTC); must be before `to`, at most 400 days before it'),
    to: instant().optional().describe('exclusive; default: now'),
    groupBy: z.enum(['day', 'endpoint', 'kind']).default('day'),
    kind: z.string().max(48).optional().describe('only this kind'),
  }),
  responses: { 200: { description: 'Usage', schema: usageSchema } },
  async handler({ deps, principal, query }) {
    const { db } = deps;
    const now = new Date();
    const from = query.from ? new Date(query.from) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const to = query.to ? new Date(query.to) : now;
    if (from >= to) throw errors.validation([{ path: 'query.from', message: 'must be before to' }]);
    if (to.getTime() - from.getTime() > 400 * 86_400_000) throw errors.validation([{ path: 'query.from', message: 'the range may span at most 400 days' }]);
    // This replica's buffered events first, so a caller sees its own calls (other replicas flush
    // within USAGE_FLUSH_INTERVAL).
    await deps.controlPlane.usage.flush();

    const period = usagePeriodOf(now);
    // Whole days from the daily rollup, partial days from the events: exact and fast at any volume.
    const [data, seatRows, monthRows, storage] = await Promise.all([
      usageGroups(db, principal.tenantId, { from, to, now }, query.groupBy, query.kind),
      db.readAsTenant<{ status: string; count: string }>(
        principal.tenantId,
        db.knex('users').where({ tenant_id: principal.tenantId }).groupBy('status').select('status').count({ count: '*' }),
      ),
      db.readAsTenant<{ quantity: string }>(
        principal.tenantId,
        db.knex('usage_counters').where({ tenant_id: principal.tenantId, period, kind: USAGE_KINDS.apiCall }).select('quantity'),
      ),
      storageUsage(db, principal.tenantId),
    ]);
    const totals: Record<string, number> = {};
    for (const row of data) totals[row.kind] = (totals[row.kind] ?? 0) + row.quantity;

    const plan = PLANS[principal.plan];
    const policy = await deps.controlPlane.limitPolicies.policyOf(principal.tenantId, principal.plan);
    const limits = await limitUsage(db, policy, principal, now);
    const quotaLimit = policy.effective('tenant.apiCallsPerMonth', now);
    const monthlyLimit = quotaLimit?.limit ?? plan.apiCallsPerMonth;
    const seatCount = (status: string) => Number(seatRows.find((row) => row.status === status)?.count ?? 0);
    const billable = BILLABLE_USER_STATUSES.reduce((sum, status) => sum + seatCount(status), 0);
    const used = Number(monthRows[0]?.quantity ?? 0);
    return {
      status: 200,
      body: {
        from: from.toISOString(),
        to: to.toISOString(),
        groupBy: query.groupBy,
        data,
        totals,
        seats: {
          billable,
          active: seatCount('active'),
          invited: seatCount('invited'),
          suspended: seatCount('suspended'),
          included: plan.includedSeats,
          overageCents: seatOverageCents(plan, billable),
        },
        quota: {
          period: period.slice(0, 7),
          limit: monthlyLimit,
          used,
          remaining: Math.max(0, monthlyLimit - used),
          raisedUntil: quotaLimit?.raisedUntil?.toISOString() ?? null,
          policy: plan.quotaPolicy,
          overageCalls: plan.quotaPolicy === 'bill_overage' ? Math.max(0, used - plan.apiCallsPerMonth) : 0,
          overageCents: apiCallOverageCents(plan, used),
        },
        limits,
        storage: {
          usedBytes: storage.usedBytes,
          files: storage.files,
          quotaBytes: plan.storageBytes,
          remainingBytes: Math.max(0, plan.storageBytes - storage.usedBytes),
          retentionSeconds: Math.round(durationMs(deps.config.HUB_FILE_RETENTION) / 1000),
        },
      },
    };
  },
});
