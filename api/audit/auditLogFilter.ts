import { type Knex } from 'knex';
import { z } from 'zod';
import { instant } from '../http/instant';

/** The audit log's filters, shared by the list and its CSV export so both select the same rows. */
export const auditLogFilterQuery = z.strictObject({
  action: z
    .string()
    .max(100)
    .regex(/^[a-z_.]+\*?$/, 'an action such as user.created, or a prefix such as user.*')
    .optional(),
  actor: z.string().max(100).optional().describe('actor id (an API key id or a user id)'),
  from: instant().optional().describe('inclusive'),
  to: instant().optional().describe('exclusive'),
});
export type AuditLogFilter = z.infer<typeof auditLogFilterQuery>;

/** Narrows an `audit_log` query by the filter: an action ending in * is a prefix. */
export function whereAuditLogFilter(query: Knex.QueryBuilder, filter: AuditLogFilter): Knex.QueryBuilder {
  if (filter.action?.endsWith('*')) query.where('action', 'like', `${filter.action.slice(0, -1).replace(/_/g, '\\_')}%`);
  else if (filter.action) query.where({ action: filter.action });
  if (filter.actor) query.where({ actor_id: filter.actor });
  if (filter.from) query.where('occurred_at', '>=', new Date(filter.from));
  if (filter.to) query.where('occurred_at', '<', new Date(filter.to));
  return query;
}
