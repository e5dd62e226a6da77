import { z } from 'zod';
import { LIMIT_IDS } from '../../platform/limits/limitCatalogue';
import { type LimitRaiseRow } from '../../platform/limits/limitRaises';

export const limitRaiseSchema = z.object({
  id: z.uuid(),
  limit: z.enum(LIMIT_IDS).describe('the limit raised (docs/billing.md "Limits")'),
  value: z.number().int().describe('the limit while the raise is active (when higher than the configured one)'),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime().describe('exclusive: the limit is back to its configured value from this instant'),
  reason: z.string().nullable(),
  status: z.enum(['scheduled', 'active', 'ended', 'cancelled']),
  cancelledAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type LimitRaiseView = z.infer<typeof limitRaiseSchema>;

export function toLimitRaiseView(row: LimitRaiseRow, now: Date = new Date()): LimitRaiseView {
  const status = row.cancelled_at ? 'cancelled' : row.starts_at > now ? 'scheduled' : row.ends_at > now ? 'active' : 'ended';
  return {
    id: row.id,
    limit: row.limit_id,
    value: Number(row.value),
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    reason: row.reason,
    status,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export const tenantRaiseParams = z.strictObject({ id: z.uuid() });
