// SIREN (9 digits) and SIRET (14 digits = SIREN + NIC) identify French legal entities and their establishments.
// Both end with a Luhn check digit, except La Poste's establishments (SIREN 356000000): INSEE ran out of Luhn-valid
// NICs for its ~17,000 post offices, so their SIRETs only need a digit sum that is a multiple of 5.

export const LA_POSTE_SIREN = '356000000';
/** La Poste's head office is the one La Poste SIRET that follows the ordinary Luhn rule. */
const LA_POSTE_HEAD_OFFICE_SIRET = '35600000000048';

/** Luhn sum over a string of digits (rightmost digit not doubled). Caller guarantees digits only. */
function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

export function isLuhnValid(digits: string): boolean {
  return /^\d+$/.test(digits) && luhnSum(digits) % 10 === 0;
}

/** The digit to append to `digits` so that the whole passes Luhn. */
export function luhnCheckDigit(digits: string): string {
  if (!/^\d*$/.test(digits)) throw new Error(`Not a string of digits: ${digits}`);
  const sum = luhnSum(digits + '0');
  return String((10 - (sum % 10)) % 10);
}

export function isValidSiren(siren: string): boolean {
  return /^\d{9}$/.test(siren) && isLuhnValid(siren);
}

export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith(LA_POSTE_SIREN) && siret !== LA_POSTE_HEAD_OFFICE_SIRET) return digitSum(siret) % 5 === 0;
  return isLuhnValid(siret);
}

/** A valid SIREN starting with `prefix` (up to 8 digits, right-padded with zeros). */
export function makeSiren(prefix: string): string {
  if (!/^\d{0,8}$/.test(prefix)) throw new Error(`Préfixe de SIREN invalide : ${prefix}`);
  const body = prefix.padEnd(8, '0');
  return body + luhnCheckDigit(body);
}

/**
 * A valid SIRET starting with `prefix` (up to 13 digits, right-padded with zeros); the last digit is computed.
 * With La Poste's SIREN the last digit makes the digit sum a multiple of 5 instead.
 * The SIREN part is taken as given: pass a valid SIREN (see makeSiren) for a fully realistic number.
 */
export function makeSiret(prefix: string): string {
  if (!/^\d{0,13}$/.test(prefix)) throw new Error(`Préfixe de SIRET invalide : ${prefix}`);
  const body = prefix.padEnd(13, '0');
  if (body.startsWith(LA_POSTE_SIREN)) {
    const last = (5 - (digitSum(body) % 5)) % 5;
    return body + String(last);
  }
  return body + luhnCheckDigit(body);
}
