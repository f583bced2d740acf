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
  if (typeof a === 'string' && typeof b === 'string') {
    const [x, y, t] = [micros(a), micros(b), micros(tolerance)];
    if (x !== undefined && y !== undefined && t !== undefined) return (x > y ? x - y : y - x) <= t;
  }
  return new D(a).minus(new D(b)).abs().lte(new D(tolerance));
}

/**
 * The exact sum of decimal strings, as a plain decimal string. Pivot amounts (at most 6 decimals) are added as whole
 * millionths (BigInt: exact at any size), which an import does for every invoice; any other form goes through Decimal.
 */
export function sumAmounts(values: readonly string[]): string {
  let total = 0n;
  for (const value of values) {
    const m = micros(value);
    if (m === undefined) return sum([...values]).toFixed();
    total += m;
  }
  return fromMicros(total);
}

const MICRO_DECIMAL = /^([+-]?)(\d{1,30})(?:\.(\d{1,6}))?$/;
const MICROS_PER_UNIT = 1_000_000n;

/** A decimal string of at most 6 decimals in millionths, exactly; undefined for any other form. */
function micros(value: string): bigint | undefined {
  const m = MICRO_DECIMAL.exec(value);
  if (!m) return undefined;
  const magnitude = BigInt(m[2]) * MICROS_PER_UNIT + BigInt((m[3] ?? '').padEnd(6, '0'));
  return m[1] === '-' ? -magnitude : magnitude;
}

/** Millionths as a plain decimal string, without trailing zeros (Decimal's toFixed() form). */
function fromMicros(value: bigint): string {
  const magnitude = value < 0n ? -value : value;
  const units = (magnitude / MICROS_PER_UNIT).toString();
  const fraction = (magnitude % MICROS_PER_UNIT).toString().padStart(6, '0').replace(/0+$/, '');
  return `${value < 0n ? '-' : ''}${units}${fraction ? `.${fraction}` : ''}`;
}
