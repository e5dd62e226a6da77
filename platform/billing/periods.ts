/**
 * Billing periods are calendar months in UTC, written `YYYY-MM`. An invoice covers
 * [start, end): the first instant of the month up to (excluding) the first instant of the next.
 */
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface BillingPeriod {
  /** `2026-11` */
  period: string;
  start: Date;
  /** Exclusive. */
  end: Date;
  /** `2026-11-01` */
  firstDay: string;
  /** `2026-12-01` (exclusive) */
  endDay: string;
}

/** The period of `2026-11`; throws on anything that is not `YYYY-MM`. */
export function billingPeriod(period: string): BillingPeriod {
  if (!PERIOD_PATTERN.test(period)) throw new Error(`not a billing period (YYYY-MM): ${period}`);
  const [year, month] = period.split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(year, month - 1, 1));
  const end = new Date(Date.UTC(year, month, 1));
  return { period, start, end, firstDay: start.toISOString().slice(0, 10), endDay: end.toISOString().slice(0, 10) };
}

/** The period an instant falls in (UTC). */
export function periodOf(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The period before the one `at` falls in: what a run on the 1st of a month bills. */
export function previousPeriod(at: Date): string {
  return periodOf(new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)));
}

// One formatter for the process: building an Intl formatter per call is slow (billing runs call this per tenant).
const monthYear = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** `November 2026` */
export function periodLabel(period: string): string {
  return monthYear.format(billingPeriod(period).start);
}
