import { uuidFromName } from '../ids';

/**
 * Deterministic Stripe idempotency keys, derived from tenant + period (+ line, + step): a retried
 * activity, a crashed worker or a re-run of the period sends the same key, and Stripe answers the
 * first result again instead of creating a second object.
 */
export const stripeIdempotencyKeys = {
  customer: (tenantId: string) => `hub:customer:${tenantId}`,
  invoice: (tenantId: string, period: string) => `hub:invoice:${tenantId}:${period}:create`,
  line: (tenantId: string, period: string, code: string) => `hub:invoice:${tenantId}:${period}:line:${code}`,
  finalize: (tenantId: string, period: string) => `hub:invoice:${tenantId}:${period}:finalize`,
  payment: (tenantId: string, period: string, attempt: number) => `hub:invoice:${tenantId}:${period}:pay:${attempt}`,
} as const;

/** The hub's invoice id of a tenant and period (the same on every run). */
export function invoiceIdOf(tenantId: string, period: string): string {
  return uuidFromName(`invoice:${tenantId}:${period}`);
}
