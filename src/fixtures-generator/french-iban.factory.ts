// French IBANs (FRkk BBBBB GGGGG CCCCCCCCCCC KK) with both check systems right: the RIB key inside the BBAN
// (checked by Chorus Pro and ibantools) and the ISO 13616 mod-97 check digits.

/** Letters of a French account number map to digits for the RIB key (A,J→1; B,K,S→2; …; I,R,Z→9). */
function ribDigit(c: string): string {
  if (/\d/.test(c)) return c;
  const code = c.toUpperCase().charCodeAt(0) - 65; // A=0
  const value = code < 9 ? code + 1 : code < 18 ? code - 8 : code - 16;
  return String(value);
}

/** mod 97 of a long decimal string, chunked so we never leave safe integers. */
export function mod97(numeric: string): number {
  let rest = 0;
  for (let i = 0; i < numeric.length; i += 7) {
    rest = Number(String(rest) + numeric.slice(i, i + 7)) % 97;
  }
  return rest;
}

export function ribKey(bankCode: string, branchCode: string, accountNumber: string): string {
  const account = accountNumber.split('').map(ribDigit).join('');
  const rest = (89 * mod97(bankCode) + 15 * mod97(branchCode) + 3 * mod97(account)) % 97;
  return String(97 - rest).padStart(2, '0');
}

/** Letters → 10..35 as ISO 13616 requires. */
function ibanToNumeric(text: string): string {
  return text
    .toUpperCase()
    .split('')
    .map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c))
    .join('');
}

export function ibanCheckDigits(countryCode: string, bban: string): string {
  const rest = mod97(ibanToNumeric(bban + countryCode + '00'));
  return String(98 - rest).padStart(2, '0');
}

/** A valid French IBAN (electronic format, no spaces). */
export function makeFrenchIban(bankCode: string, branchCode: string, accountNumber: string): string {
  if (!/^\d{5}$/.test(bankCode) || !/^\d{5}$/.test(branchCode) || !/^[0-9A-Z]{11}$/.test(accountNumber)) {
    throw new Error(`Coordonnées bancaires invalides : ${bankCode} ${branchCode} ${accountNumber}`);
  }
  const bban = bankCode + branchCode + accountNumber + ribKey(bankCode, branchCode, accountNumber);
  return 'FR' + ibanCheckDigits('FR', bban) + bban;
}
