import { addDays, daysBetween } from '@/invoices/payment-deadline';

// The committed fixtures were received in March 2025 (fixed dates keep `fixtures/` byte-identical for the tests);
// shown as they are, every demo invoice would be « 597 j de retard ». At each start the demo moves each of its
// invoices to a reception date relative to today, so that it always shows what a finance department sees on a
// given morning: invoices received long ago and late, some due within days, fresh ones.

/** A demo invoice as the plan needs it: which fixture flow it came in, its place in it, its reception date now. */
export interface DemoInvoiceDates {
  id: string;
  /** 0-based index of its flow in fixtures/pivot (file name order). */
  flowIndex: number;
  /** 0-based place in the flow. */
  position: number;
  receptionDate: string;
}

/** Age in days (today − reception) of the first invoice of each flow, and the step between invoices of a flow. */
const FLOW_AGES: ReadonlyArray<{ first: number; step: number }> = [
  { first: 37, step: 3 }, // 37 … 52 days: past the 30-day délai global de paiement (late)
  { first: 22, step: 2 }, // 22 … 32 days: due within days, one or two just late
  { first: 2, step: 1 }, // 2 … 7 days: received this week
];

/** Days each invoice moves (added to all its dates); invoices already in place are left out. */
export function planDemoDates(invoices: readonly DemoInvoiceDates[], today: string): Array<{ id: string; days: number }> {
  return invoices.flatMap((i) => {
    const ages = FLOW_AGES[Math.min(i.flowIndex, FLOW_AGES.length - 1)];
    const target = addDays(today, -(ages.first + ages.step * i.position));
    const days = daysBetween(i.receptionDate, target);
    return days === 0 ? [] : [{ id: i.id, days }];
  });
}

/**
 * What the demo does on its first start, as the demo agent would: invoices [flowIndex, position] to suspend
 * (a motif asked of the supplier) and to mandate (for the trésorier's screen). Chosen among invoices with a
 * known recipient and no anomaly; one that cannot take the action is skipped.
 */
export const DEMO_ACTIONS: ReadonlyArray<{ action: 'suspend' | 'mandate'; flowIndex: number; position: number }> = [
  { action: 'suspend', flowIndex: 1, position: 1 },
  { action: 'suspend', flowIndex: 0, position: 3 },
  { action: 'mandate', flowIndex: 0, position: 0 },
  { action: 'mandate', flowIndex: 0, position: 5 },
];
