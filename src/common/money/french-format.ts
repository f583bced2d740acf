import Decimal from 'decimal.js';
import { money } from '@/common/money/money';

// Amounts and numbers as French readers write them, for every message a person reads (API errors, anomaly
// messages, CLI human output). The rounding is the pages' (src/web/assets/js/format.mjs `formatMoney`):
// half-up to the cent, away from zero for negatives, a rounded zero has no sign; its spec checks both agree.
// JSON keeps exact decimal strings: this is for text only.

/** Narrow no-break space: the thousands separator of French typography. */
export const NNBSP = '\u202f';
/** No-break space before the currency sign and units. */
export const NBSP = '\u00a0';

function group(units: string): string {
  return units.replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP);
}

function toDecimal(value: string | number | Decimal): Decimal | null {
  try {
    const d = money(typeof value === 'string' ? value.trim() : value);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/** "1494.600000" → "1 494,60" (rounded half-up to the cent). Text that is not a number is returned as is. */
export function formatFrenchAmount(value: string | number | Decimal): string {
  const d = toDecimal(value);
  if (!d) return String(value);
  const fixed = d.toFixed(2, Decimal.ROUND_HALF_UP);
  const negative = fixed.startsWith('-') && !/^-0\.00$/.test(fixed);
  const [units, cents] = fixed.replace(/^-/, '').split('.');
  return `${negative ? '-' : ''}${group(units)},${cents}`;
}

/** "1494.6" → "1 494,60 €": an amount of money in a sentence. */
export function formatEuros(value: string | number | Decimal): string {
  const text = formatFrenchAmount(value);
  return toDecimal(value) ? `${text}${NBSP}€` : text;
}

/**
 * A decimal written exactly, French style, never rounded: "3245.681450" → "3 245,68145", "96.3" → "96,30"
 * (`minDecimals` 2). For figures compared to a tolerance (a rounded figure could hide the difference).
 */
export function formatFrenchDecimal(value: string | number | Decimal, minDecimals = 2): string {
  const d = toDecimal(value);
  if (!d) return String(value);
  const places = Math.max(minDecimals, d.decimalPlaces());
  const fixed = d.toFixed(places);
  const negative = fixed.startsWith('-') && !d.isZero();
  const [units, frac] = fixed.replace(/^-/, '').split('.');
  return `${negative ? '-' : ''}${group(units)}${frac ? `,${frac}` : ''}`;
}

/** A count: 12519 → "12 519". */
export function formatCount(value: number | bigint): string {
  const text = typeof value === 'bigint' ? value.toString() : Number.isInteger(value) ? String(value) : formatFrenchDecimal(value, 0);
  if (!/^-?\d+$/.test(text)) return text;
  return text.startsWith('-') ? `-${group(text.slice(1))}` : group(text);
}

/** A size in bytes: 125829120 → "120 Mo", 1536 → "1,5 Ko", 999 → "999 octets" (binary multiples, as Chorus Pro's « 120 Mo »). */
export function formatBytes(bytes: number): string {
  const units = ['octets', 'Ko', 'Mo', 'Go', 'To'];
  let value = money(bytes);
  let unit = 0;
  while (value.abs().gte(1024) && unit < units.length - 1) {
    value = value.dividedBy(1024);
    unit += 1;
  }
  const shown = unit === 0 ? formatCount(value.toNumber()) : formatFrenchDecimal(value.toDecimalPlaces(1, Decimal.ROUND_HALF_UP), 0);
  return `${shown}${NBSP}${units[unit]}`;
}

/** A calendar date "2025-03-10" (or a Date, its UTC day) → "10/03/2025", as the pages show it. */
export function formatFrenchDate(value: string | Date): string {
  const text = value instanceof Date ? value.toISOString() : String(value ?? '');
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : text;
}

/**
 * What a French user types as an amount ("919,87", "1 494,6", "1494.60 €") → the decimal string "919.87",
 * or null when it is not a number. The caller checks the number of decimals it allows.
 */
export function parseFrenchAmount(text: string): string | null {
  const s = String(text ?? '').replace(/[\s\u00a0\u202f€]/g, '');
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(s)) return null;
  return s.replace(',', '.').replace(/^\+/, '');
}
