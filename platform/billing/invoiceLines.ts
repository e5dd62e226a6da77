import { apiCallOverageCents, type Plan, scanOverageCents, seatOverageCents } from './catalogue';
import { periodLabel } from './periods';

/** What a tenant used in a period, from the daily rollups. */
export interface PeriodUsage {
  /** Billable API calls (refused calls count 0). */
  apiCalls: number;
  /** Scanned items. */
  scans: number;
  /** Records synced from connectors (reported; no price of their own). */
  syncedRecords: number;
  /** Most billable seats (invited + active users) at any time in the period. */
  peakSeats: number;
  /**
   * Present when the tenant's prepaid credit pays scanned items as they happen (its wallet prices
   * `scan`): every scan is then charged at the wallet's price, drawn from the balance first, and the
   * invoice bills only what the balance did not cover — never the plan's scan overage as well.
   */
  walletScans?: { unitCents: number; drawnCents: number };
}

export const INVOICE_LINE_CODES = ['plan', 'seats', 'api_calls', 'scans'] as const;
export type InvoiceLineCode = (typeof INVOICE_LINE_CODES)[number];

/** One line of an invoice; `amountCents = quantity × unitAmountCents`. */
export interface InvoiceLine {
  /** Stable per invoice: part of the line's Stripe idempotency key. */
  code: InvoiceLineCode;
  description: string;
  quantity: number;
  unitAmountCents: number;
  amountCents: number;
}

export interface ComputedInvoice {
  lines: InvoiceLine[];
  subtotalCents: number;
  totalCents: number;
}

/**
 * The invoice of one period: the plan fee, then overage lines (only those with something to
 * bill) priced by the catalogue: extra seats over the included ones (at the period's peak),
 * each started block of 1,000 API calls over the monthly quota (plans that bill overage), and
 * scanned items over the included amount. No tax, no proration: a plan change bills the plan
 * the tenant has when the period is invoiced.
 */
export function computeInvoice(plan: Plan, period: string, usage: PeriodUsage): ComputedInvoice {
  const lines: InvoiceLine[] = [line('plan', `${plan.name} plan, ${periodLabel(period)}`, 1, plan.monthlyPriceCents)];

  const extraSeats = Math.max(0, usage.peakSeats - plan.includedSeats);
  if (extraSeats > 0) {
    lines.push(line('seats', `Extra seats: ${extraSeats} over the ${plan.includedSeats} included (peak ${usage.peakSeats})`, extraSeats, plan.extraSeatCents));
    assertEqual(lines.at(-1)!.amountCents, seatOverageCents(plan, usage.peakSeats));
  }

  const extraCalls = Math.max(0, usage.apiCalls - plan.apiCallsPerMonth);
  const callBlocks = plan.quotaPolicy === 'bill_overage' ? Math.ceil(extraCalls / 1_000) : 0;
  if (callBlocks > 0) {
    lines.push(
      line('api_calls', `API calls: ${extraCalls} over the ${plan.apiCallsPerMonth} included, per started 1,000`, callBlocks, plan.per1000ExtraApiCallsCents),
    );
    assertEqual(lines.at(-1)!.amountCents, apiCallOverageCents(plan, usage.apiCalls));
  }

  const extraScans = Math.max(0, usage.scans - plan.includedScans);
  if (usage.walletScans) {
    const chargedCents = usage.scans * usage.walletScans.unitCents;
    const uncoveredCents = Math.max(0, chargedCents - usage.walletScans.drawnCents);
    if (uncoveredCents > 0) {
      const description = `Scanned items: ${usage.scans} at the prepaid price, ${chargedCents - uncoveredCents} cents paid from prepaid credit`;
      lines.push(line('scans', description, 1, uncoveredCents));
    }
  } else if (extraScans > 0) {
    lines.push(line('scans', `Scanned items: ${extraScans} over the ${plan.includedScans} included`, extraScans, plan.extraScanCents));
    assertEqual(lines.at(-1)!.amountCents, scanOverageCents(plan, usage.scans));
  }

  const subtotalCents = lines.reduce((sum, item) => sum + item.amountCents, 0);
  return { lines, subtotalCents, totalCents: subtotalCents };
}

function line(code: InvoiceLineCode, description: string, quantity: number, unitAmountCents: number): InvoiceLine {
  return { code, description, quantity, unitAmountCents, amountCents: quantity * unitAmountCents };
}

// The catalogue's own overage functions and the lines must agree to the cent.
function assertEqual(actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`invoice line ${actual} ≠ catalogue ${expected} cents`);
}
