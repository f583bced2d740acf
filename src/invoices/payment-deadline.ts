/**
 * Délai global de paiement (DGP), the one rule every reader uses (read API, action answers, pages):
 * - R2192-10 du code de la commande publique: 30 days from reception in Chorus Pro, 50 for établissements publics
 *   de santé (structure setting `public_health_body`, kept in `structures.payment_delay_days`); ingestion sets
 *   `due_date` = reception + that delay.
 * - R2192-27: suspended once only (the state machine refuses a second suspension); frozen while suspended.
 * - R2192-29: when the missing items arrive, a NEW delay opens: thirty days, or the balance left on the day of the
 *   suspension if that is longer. The text says thirty days for every buyer (50-day bodies included).
 * Dates are calendar days in the collectivité's time zone.
 */
const DAY = 86_400_000;

/** R2192-10, 1° (État, collectivités territoriales, établissements publics locaux). */
export const STANDARD_DELAY_DAYS = 30;
/** R2192-10, 2° (établissements publics de santé, service de santé des armées). */
export const PUBLIC_HEALTH_DELAY_DAYS = 50;
/** R2192-29: the new delay opened when a suspension ends. */
export const RESUMED_DELAY_DAYS = 30;

/** The structure's délai global de paiement. */
export function paymentDelayDays(publicHealthBody: boolean): number {
  return publicHealthBody ? PUBLIC_HEALTH_DELAY_DAYS : STANDARD_DELAY_DAYS;
}

// Moved to common/time (PES, status flows and the call quota use it too); re-exported for the invoice modules.
export { localDate } from '@/common/time/local-date';

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/**
 * The due date once a suspension started on `suspendedOn` ends on `resumedOn` (R2192-29): `resumedOn` + 30 days,
 * or + the balance left on `suspendedOn` when it is longer.
 */
export function resumeDueDate(dueDate: string | null, suspendedOn: string, resumedOn: string): string | null {
  if (!dueDate) return null;
  const balance = daysBetween(suspendedOn, dueDate);
  return addDays(resumedOn, Math.max(RESUMED_DELAY_DAYS, balance));
}

/** Days left before the due date (negative when late); frozen at the suspension date while suspended. */
export function daysLeft(dueDate: string | null, today: string, suspendedOn: string | null): number | null {
  if (!dueDate) return null;
  return daysBetween(suspendedOn ?? today, dueDate);
}
