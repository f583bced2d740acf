import Decimal from 'decimal.js';

// Chorus Pro amounts carry up to 6 decimals (CPPFacturePivot xs:decimal, e.g. 3245.681450): all arithmetic
// is decimal, never binary floating point. Accounts are kept in cents, rounded half-up.
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

export type Money = Decimal;

export function money(value: string | number | Decimal): Decimal {
  return new D(value);
}

export function isDecimalString(value: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value.trim());
}

export function sum(values: Array<string | Decimal>): Decimal {
  return values.reduce<Decimal>((acc, v) => acc.plus(new D(v)), new D(0));
}

/** Rounded half-up to 2 decimals (the accounting cent). */
export function toCents(value: string | Decimal): Decimal {
  return new D(value).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** A plain decimal string: sign, integer part without leading zeros, at most 6 decimals (the pivot's usual form). */
const PLAIN_DECIMAL = /^(-?)(0|[1-9]\d{0,29})(?:\.(\d{1,6}))?$/;

/** Canonical string with a fixed number of decimals, as stored in `numeric` columns. */
export function formatAmount(value: string | Decimal, decimals = 6): string {
  // A pivot amount already plain needs only its zeros: the same string as Decimal's, without building one (an import
  // formats several amounts per line and invoice).
  const plain = decimals === 6 && typeof value === 'string' ? PLAIN_DECIMAL.exec(value) : null;
  if (plain && !(plain[1] === '-' && /^0(?:\.0*)?$/.test((value as string).slice(1)))) return `${plain[1]}${plain[2]}.${(plain[3] ?? '').padEnd(6, '0')}`;
  return new D(value).toFixed(decimals);
}

export function withinTolerance(a: string | Decimal, b: string | Decimal, tolerance = '0.01'): boolean {
  return new D(a).minus(new D(b)).abs().lte(new D(tolerance));
}
