// French display of amounts and dates. Amounts arrive as decimal strings ("1494.600000"): they are
// rounded and grouped as text, never through binary floats, so a cent is never lost.

export const NNBSP = '\u202f'; // narrow no-break space: thousands separator (French typography)
export const NBSP = '\u00a0'; // no-break space before the currency sign

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** "1494.600000" → "1 494,60 €" (half-up to the cent, away from zero for negatives, as money.ts rounds). */
export function formatMoney(value, { currency = true } = {}) {
  if (value === null || value === undefined || value === '') return '';
  const m = DECIMAL.exec(String(value).trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return String(value);
  const sign = m[1] === '-' ? '-' : '';
  let units = (m[2] || '0').replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').padEnd(3, '0');
  let cents = frac.slice(0, 2);
  if (frac[2] >= '5') {
    const carried = incrementDigits(units + cents);
    units = carried.slice(0, -2) || '0';
    cents = carried.slice(-2);
  }
  const zero = /^0*$/.test(units + cents);
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP);
  return `${zero ? '' : sign}${grouped},${cents}${currency ? `${NBSP}€` : ''}`;
}

function incrementDigits(digits) {
  const out = digits.split('');
  let i = out.length - 1;
  while (i >= 0) {
    if (out[i] === '9') {
      out[i] = '0';
      i -= 1;
    } else {
      out[i] = String(Number(out[i]) + 1);
      return out.join('');
    }
  }
  return `1${out.join('')}`;
}

/**
 * What a person types in an amount field ("1 494,6", "1494.60", "-12") → cents as a BigInt, or null when it
 * is not an amount with at most 2 decimals. Used for the live total of the imputations only: the server
 * checks again.
 */
export function parseAmountToCents(text) {
  const s = String(text ?? '').replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  const m = /^(-?)(\d+)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  const cents = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0') || '0');
  return m[1] === '-' ? -cents : cents;
}

/** Cents (BigInt) → the API's decimal string "1494.60". */
export function centsToDecimal(cents) {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const units = abs / 100n;
  const rest = String(abs % 100n).padStart(2, '0');
  return `${neg ? '-' : ''}${units}.${rest}`;
}

/** Decimal string → cents (BigInt), rounded half-up like formatMoney. */
export function decimalToCents(value) {
  const shown = formatMoney(value, { currency: false });
  return parseAmountToCents(shown.replace(new RegExp(NNBSP, 'g'), ''));
}

/** "2025-03-10" → "10/03/2025" (a calendar date: no timezone involved). */
export function formatDate(value) {
  if (!value) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : String(value);
}

const DATE_TIME = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** An instant → "22/11/2016 15h38" in Paris time, as Corail shows the steps of an invoice. */
export function formatDateTime(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const parts = Object.fromEntries(DATE_TIME.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}h${parts.minute}`;
}

/**
 * Days left before the payment deadline: "12 j", "aujourd'hui", "3 j de retard"; while suspended the count is
 * frozen (the deadline is paused) and says so: "22 j (suspendu)".
 */
export function formatDaysLeft(daysLeft, status) {
  const suspended = status === 'SUSPENDUE';
  if (daysLeft === null || daysLeft === undefined) return suspended ? 'suspendu' : '—';
  const text = daysLeft === 0 ? "aujourd'hui" : daysLeft < 0 ? `${-daysLeft}${NBSP}j de retard` : `${daysLeft}${NBSP}j`;
  return suspended ? `${text} (suspendu)` : text;
}

/** Characters as Chorus Pro counts them (code points), for the 255-character motif budget. */
export function charCount(text) {
  return [...String(text ?? '')].length;
}

/** A quantity or rate as typed in France: "2.500000" → "2,5", "20.00" → "20". */
export function formatDecimal(value) {
  if (value === null || value === undefined || value === '') return '';
  const m = DECIMAL.exec(String(value).trim());
  if (!m) return String(value);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const units = (m[2] || '0').replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP);
  return `${m[1] === '-' ? '-' : ''}${units}${frac ? `,${frac}` : ''}`;
}
