import Decimal from 'decimal.js';
import { NotFoundError } from '@/common/errors/domain.error';
import { formatFrenchDate } from '@/common/money/french-format';
import { formatAmount, money, toCents } from '@/common/money/money';
import { addDays, daysBetween } from '@/invoices/payment-deadline';

/**
 * Intérêts moratoires of the code de la commande publique, computed from dates and decimal strings only:
 * - L2192-13: late payment makes interest run de plein droit from the day after the due date; counted here up to the
 *   day of payment included: days late = payment day − due date.
 * - R2192-31: rate = ECB main refinancing rate in force on the first day of the half-year (1 January or 1 July) in
 *   which interest started to run, + 8 points.
 * - Interest = amount paid late × rate × days late / 365 (DGFiP circular of 15 April 2013 on decree 2013-269),
 *   exact decimal arithmetic, rounded once, half-up to the cent.
 * - D2192-35: + the €40 flat indemnity for recovery costs. R2192-36: both paid within 45 days of the principal.
 */
export const RATE_MARGIN_POINTS = '8';
export const RECOVERY_INDEMNITY = '40.00';
export const DAYS_IN_YEAR = 365;
export const PAYMENT_WITHIN_DAYS = 45;

export interface HalfYearRate {
  /** '2025-07-01': first day of the half-year. */
  halfYearStart: string;
  /** ECB main refinancing rate in %, decimal string ('2.15'). */
  ecbRate: string;
  source: string;
}

export interface LateInterestFigures {
  dueDate: string;
  paidOn: string;
  /** Day interest started to run: the day after the due date. */
  runsFrom: string;
  daysLate: number;
  halfYearStart: string;
  ecbRate: string;
  /** ECB rate + 8 points, in %. */
  rate: string;
  rateSource: string;
  /** Amount paid late (base of the interest), exact. */
  base: string;
  /** Interest before rounding, exact (base × rate / 100 × days / 365, 10 decimals). */
  exactInterest: string;
  /** Interest rounded half-up to the cent. */
  interest: string;
  indemnity: string;
  total: string;
  /** Last day to pay them (R2192-36: 45 days after the payment of the principal). */
  payBefore: string;
}

/** First day of the half-year a day falls in. */
export function halfYearOf(day: string): string {
  const month = Number(day.slice(5, 7));
  return `${day.slice(0, 4)}-${month <= 6 ? '01' : '07'}-01`;
}

/** « 1er semestre 2026 », « 2e semestre 2025 ». */
export function halfYearLabel(halfYearStart: string): string {
  const first = halfYearStart.slice(5, 7) === '01';
  return `${first ? '1er' : '2e'} semestre ${halfYearStart.slice(0, 4)}`;
}

/**
 * The figures when paid after the due date, null when paid in time. `rateOf` gives the table's rate of a half-year;
 * a half-year missing from the table stops the computation (never an older or a guessed rate).
 */
export function computeLateInterest(
  input: { dueDate: string; paidOn: string; base: string },
  rateOf: (halfYearStart: string) => HalfYearRate | undefined,
): LateInterestFigures | null {
  const daysLate = daysBetween(input.dueDate, input.paidOn);
  if (daysLate <= 0) return null;
  const runsFrom = addDays(input.dueDate, 1);
  const halfYearStart = halfYearOf(runsFrom);
  const found = rateOf(halfYearStart);
  if (!found) {
    throw new NotFoundError(
      'LATE_INTEREST_RATE_MISSING',
      `Taux de la BCE inconnu pour le ${halfYearLabel(halfYearStart)} (taux des opérations principales de refinancement en vigueur au ${formatFrenchDate(halfYearStart)}) : les intérêts moratoires ne sont pas calculés. Un administrateur l'ajoute à la table des taux (« passerelle interets-moratoires definir-taux » ou PUT /api/late-interest/rates/${halfYearStart}).`,
      { halfYearStart },
    );
  }
  const rate = money(found.ecbRate).plus(RATE_MARGIN_POINTS);
  const exact = money(input.base).times(rate).dividedBy(100).times(daysLate).dividedBy(DAYS_IN_YEAR);
  const interest = toCents(exact);
  const indemnity = money(RECOVERY_INDEMNITY);
  return {
    dueDate: input.dueDate,
    paidOn: input.paidOn,
    runsFrom,
    daysLate,
    halfYearStart,
    ecbRate: trimRate(found.ecbRate),
    rate: trimRate(rate),
    rateSource: found.source,
    base: input.base,
    exactInterest: exact.toDecimalPlaces(10, Decimal.ROUND_HALF_UP).toFixed(10),
    interest: formatAmount(interest, 2),
    indemnity: formatAmount(indemnity, 2),
    total: formatAmount(interest.plus(indemnity), 2),
    payBefore: addDays(input.paidOn, PAYMENT_WITHIN_DAYS),
  };
}

/** '2.1500' → '2.15', '0.0000' → '0.00': a rate with at least 2 decimals, never rounded. */
export function trimRate(value: string | Decimal): string {
  const d = money(value);
  return d.toFixed(Math.max(2, d.decimalPlaces()));
}
