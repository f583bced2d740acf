import { DemoInvoiceDates, planDemoDates } from '@/demo/demo-dates';
import { addDays, daysBetween } from '@/invoices/payment-deadline';

const today = '2026-11-20';

function fixtureLike(): DemoInvoiceDates[] {
  // Three flows of six invoices received 2025-03-10, 12 and 14, as in fixtures/pivot.
  return [0, 1, 2].flatMap((flowIndex) =>
    [0, 1, 2, 3, 4, 5].map((position) => ({ id: `${flowIndex}-${position}`, flowIndex, position, receptionDate: `2025-03-1${flowIndex * 2}` })),
  );
}

describe('demo dates relative to today', () => {
  it('spreads the demo invoices between late, due within days and fresh (30-day délai global de paiement)', () => {
    const invoices = fixtureLike();
    const shifts = new Map(planDemoDates(invoices, today).map((s) => [s.id, s.days]));
    const daysLeft = invoices.map((i) => daysBetween(today, addDays(addDays(i.receptionDate, shifts.get(i.id) ?? 0), 30)));
    expect(daysLeft.filter((d) => d < 0).length).toBeGreaterThanOrEqual(6); // late
    expect(daysLeft.filter((d) => d >= 0 && d <= 10).length).toBeGreaterThanOrEqual(4); // due soon
    expect(daysLeft.filter((d) => d > 20).length).toBeGreaterThanOrEqual(6); // fresh
    expect(Math.min(...daysLeft)).toBeGreaterThan(-30); // nothing absurd (« 597 j de retard »)
  });

  it('moves nothing a second time the same day, and on a later day by the days elapsed', () => {
    const invoices = fixtureLike();
    const moved = invoices.map((i) => ({ ...i, receptionDate: addDays(i.receptionDate, planDemoDates([i], today)[0].days) }));
    expect(planDemoDates(moved, today)).toEqual([]);
    expect(new Set(planDemoDates(moved, addDays(today, 9)).map((s) => s.days))).toEqual(new Set([9]));
  });
});
