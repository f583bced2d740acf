/**
 * Délai global de paiement (DGP): 30 days from reception (50 for public health establishments, per
 * structure: `structures.payment_delay_days`), paused while the invoice is suspended. Ingestion sets
 * `due_date`; on resumption the workflow pushes it back by the days spent suspended. Dates are calendar
 * days in the collectivité's time zone.
 */
const DAY = 86_400_000;

/** 'YYYY-MM-DD' of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** The due date once a suspension started on `suspendedOn` ends on `resumedOn`. */
export function resumeDueDate(dueDate: string | null, suspendedOn: string, resumedOn: string): string | null {
  if (!dueDate) return null;
  return addDays(dueDate, Math.max(0, daysBetween(suspendedOn, resumedOn)));
}

/** Days left before the due date (negative when late); frozen at the suspension date while suspended. */
export function daysLeft(dueDate: string | null, today: string, suspendedOn: string | null): number | null {
  if (!dueDate) return null;
  return daysBetween(suspendedOn ?? today, dueDate);
}
