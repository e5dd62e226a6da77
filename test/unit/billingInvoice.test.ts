import { PLANS } from '../../platform/billing/catalogue';
import { computeInvoice } from '../../platform/billing/invoiceLines';
import { billingPeriod, periodLabel, periodOf, previousPeriod } from '../../platform/billing/periods';
import { invoiceIdOf, stripeIdempotencyKeys } from '../../platform/billing/stripeIdempotencyKeys';

const none = { apiCalls: 0, scans: 0, syncedRecords: 0, peakSeats: 1 };

describe('invoice lines from the plan catalogue', () => {
  it('bills the plan fee alone when usage stays within the plan', () => {
    expect(computeInvoice(PLANS.starter, '2026-11', { ...none, apiCalls: 10_000, scans: 1_000, peakSeats: 50 })).toEqual({
      lines: [{ code: 'plan', description: 'Starter plan, November 2026', quantity: 1, unitAmountCents: 29_900, amountCents: 29_900 }],
      subtotalCents: 29_900,
      totalCents: 29_900,
    });
  });

  it('bills each extra seat at the peak, each started 1,000 API calls and each extra scan', () => {
    const invoice = computeInvoice(PLANS.professional, '2026-11', { apiCalls: 50_001, scans: 10_003, syncedRecords: 123_456, peakSeats: 207 });
    expect(invoice.lines.map((line) => [line.code, line.quantity, line.unitAmountCents, line.amountCents])).toEqual([
      ['plan', 1, 79_900, 79_900],
      ['seats', 7, 400, 2_800],
      ['api_calls', 1, 400, 400],
      ['scans', 3, 8, 24],
    ]);
    expect(invoice.totalCents).toBe(79_900 + 2_800 + 400 + 24);
  });

  it('never bills API-call overage on a plan that refuses past its quota', () => {
    const invoice = computeInvoice(PLANS.starter, '2026-11', { ...none, apiCalls: 999_999 });
    expect(invoice.lines.map((line) => line.code)).toEqual(['plan']);
  });

  it('counts blocks of 1,000 API calls by started block', () => {
    const blocks = (apiCalls: number) =>
      computeInvoice(PLANS.enterprise, '2026-11', { ...none, apiCalls }).lines.find((line) => line.code === 'api_calls')?.quantity ?? 0;
    expect([blocks(200_000), blocks(200_001), blocks(201_000), blocks(201_001)]).toEqual([0, 1, 1, 2]);
  });

  it('bills scans a wallet pays only for what the prepaid credit did not cover, never the plan overage as well', () => {
    const scans = (drawnCents: number) =>
      computeInvoice(PLANS.professional, '2026-11', { ...none, scans: 10_003, walletScans: { unitCents: 8, drawnCents } }).lines.filter(
        (line) => line.code === 'scans',
      );
    expect(scans(80_024)).toEqual([]);
    expect(scans(80_000).map((line) => [line.quantity, line.unitAmountCents, line.amountCents])).toEqual([[1, 24, 24]]);
    expect(scans(0)[0]!.amountCents).toBe(10_003 * 8);
  });
});

describe('billing periods', () => {
  it('are UTC calendar months', () => {
    expect(billingPeriod('2026-12')).toEqual({
      period: '2026-12',
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
      firstDay: '2026-12-01',
      endDay: '2027-01-01',
    });
    expect(periodOf(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(previousPeriod(new Date('2027-01-01T00:15:00Z'))).toBe('2026-12');
    expect(periodLabel('2026-02')).toBe('February 2026');
    expect(() => billingPeriod('2026-13')).toThrow('YYYY-MM');
  });
});

describe('Stripe idempotency keys', () => {
  it('are derived from tenant, period, line and step, the same on every run', () => {
    const tenant = '0b0e3c8a-7c1a-4c55-9f55-8a9b1f2d3e4f';
    expect(stripeIdempotencyKeys.line(tenant, '2026-11', 'seats')).toBe(`hub:invoice:${tenant}:2026-11:line:seats`);
    expect(
      new Set([
        stripeIdempotencyKeys.invoice(tenant, '2026-11'),
        stripeIdempotencyKeys.finalize(tenant, '2026-11'),
        stripeIdempotencyKeys.payment(tenant, '2026-11', 1),
      ]).size,
    ).toBe(3);
    expect(invoiceIdOf(tenant, '2026-11')).toBe(invoiceIdOf(tenant, '2026-11'));
    expect(invoiceIdOf(tenant, '2026-11')).not.toBe(invoiceIdOf(tenant, '2026-12'));
  });
});
