/**
 * The plan catalogue: prices, what each plan includes, and its API limits. The one place these
 * numbers live (API.md "Plans"); rate limiting, quotas, usage reports and billing all read it.
 * Money is in integer US cents.
 */

export const PLAN_IDS = ['starter', 'professional', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

/** Currency of every price here (ISO 4217, lowercase as Stripe writes it). */
export const BILLING_CURRENCY = 'usd';

export interface PlanLimits {
  /** Requests per second across all API replicas (shared token bucket window of one second). */
  requestsPerSecond: number;
  /** API calls included per calendar month (UTC). */
  apiCallsPerMonth: number;
  /** What happens past `apiCallsPerMonth`: refuse (429 QUOTA_EXCEEDED) or bill as overage. */
  quotaPolicy: 'refuse' | 'bill_overage';
  /** Billable seats (invited + active users) included in the price. */
  includedSeats: number;
  /** Scanned items (batch scans) included per month. */
  includedScans: number;
  /** Default job limits; tenants may lower them in settings, never raise them. */
  maxConcurrentJobs: number;
  maxJobsPerDay: number;
  /** Connector syncs running at once; further runs wait for a slot (tenants may lower it). */
  maxConcurrentSyncs: number;
  /** Bytes of uploads and job outputs a tenant may keep at once (413 STORAGE_QUOTA_EXCEEDED beyond; expired files do not count). */
  storageBytes: number;
}

export interface PlanPricing {
  /** Price per month in cents. */
  monthlyPriceCents: number;
  /** Each seat beyond `includedSeats`, per month. */
  extraSeatCents: number;
  /** Each started block of 1,000 API calls beyond `apiCallsPerMonth` (plans that bill overage). */
  per1000ExtraApiCallsCents: number;
  /** Each scanned item beyond `includedScans`. */
  extraScanCents: number;
}

export interface Plan extends PlanLimits, PlanPricing {
  id: PlanId;
  name: string;
  /** Enterprise only: single sign-on and white-label branding (custom domain). */
  features: { sso: boolean; whiteLabel: boolean };
}

const GIB = 1024 ** 3;

/**
 * Seed pricing (API.md). Overage prices are chosen so overage never undercuts the next plan up:
 * an extra seat costs what a seat costs on the plan itself; 1,000 extra API calls cost $5 / $4 / $3.
 */
export const PLANS: Readonly<Record<PlanId, Plan>> = {
  starter: {
    id: 'starter',
    name: 'Starter',
    monthlyPriceCents: 29_900,
    includedSeats: 50,
    apiCallsPerMonth: 10_000,
    quotaPolicy: 'refuse',
    requestsPerSecond: 10,
    includedScans: 1_000,
    maxConcurrentJobs: 2,
    maxJobsPerDay: 100,
    maxConcurrentSyncs: 2,
    storageBytes: 10 * GIB,
    extraSeatCents: 600,
    per1000ExtraApiCallsCents: 500,
    extraScanCents: 10,
    features: { sso: false, whiteLabel: false },
  },
  professional: {
    id: 'professional',
    name: 'Professional',
    monthlyPriceCents: 79_900,
    includedSeats: 200,
    apiCallsPerMonth: 50_000,
    quotaPolicy: 'bill_overage',
    requestsPerSecond: 50,
    includedScans: 10_000,
    maxConcurrentJobs: 5,
    maxJobsPerDay: 1_000,
    maxConcurrentSyncs: 5,
    storageBytes: 100 * GIB,
    extraSeatCents: 400,
    per1000ExtraApiCallsCents: 400,
    extraScanCents: 8,
    features: { sso: false, whiteLabel: false },
  },
  enterprise: {
    id: 'enterprise',
    name: 'Enterprise',
    monthlyPriceCents: 199_900,
    includedSeats: 1_000,
    apiCallsPerMonth: 200_000,
    quotaPolicy: 'bill_overage',
    requestsPerSecond: 250,
    includedScans: 100_000,
    maxConcurrentJobs: 20,
    maxJobsPerDay: 10_000,
    maxConcurrentSyncs: 10,
    storageBytes: 1_000 * GIB,
    extraSeatCents: 200,
    per1000ExtraApiCallsCents: 300,
    extraScanCents: 5,
    features: { sso: true, whiteLabel: true },
  },
};

export function planOf(id: PlanId): Plan {
  return PLANS[id];
}

/** Cents owed for `used` API calls beyond the plan's quota (0 for plans that refuse instead). */
export function apiCallOverageCents(plan: Plan, used: number): number {
  if (plan.quotaPolicy !== 'bill_overage') return 0;
  const extra = Math.max(0, used - plan.apiCallsPerMonth);
  return Math.ceil(extra / 1_000) * plan.per1000ExtraApiCallsCents;
}

/** Cents owed for billable seats beyond the plan's included seats. */
export function seatOverageCents(plan: Plan, billableSeats: number): number {
  return Math.max(0, billableSeats - plan.includedSeats) * plan.extraSeatCents;
}

/** Cents owed for scanned items beyond the plan's included scans. */
export function scanOverageCents(plan: Plan, scans: number): number {
  return Math.max(0, scans - plan.includedScans) * plan.extraScanCents;
}
