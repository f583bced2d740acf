import { isLuhnValid, isValidSiren, isValidSiret, luhnCheckDigit, makeSiren, makeSiret } from '@/common/siret/siret';

describe('siret', () => {
  it('accepts real Luhn-valid SIRENs and SIRETs', () => {
    expect(isValidSiren('732829320')).toBe(true);
    expect(isValidSiret('73282932000074')).toBe(true);
    expect(isValidSiret('21930053000017')).toBe(true); // Commune de Noisy-le-Sec
    expect(isValidSiret('26330582300019')).toBe(true); // CHU de Bordeaux
  });

  it('rejects wrong length, non digits and a bad check digit', () => {
    expect(isValidSiret('7328293200007')).toBe(false);
    expect(isValidSiret('732829320000745')).toBe(false);
    expect(isValidSiret('7328293200007A')).toBe(false);
    expect(isValidSiret('73282932000075')).toBe(false);
    expect(isValidSiret('')).toBe(false);
    expect(isValidSiren('732829321')).toBe(false);
  });

  it("applies La Poste's exception (digit sum multiple of 5)", () => {
    // 3+5+6+0…+2+1+1+1+1 = 20: not Luhn-valid, yet a valid La Poste establishment.
    expect(isValidSiret('35600000021111')).toBe(true);
    expect(isLuhnValid('35600000021111')).toBe(false);
    expect(isValidSiret('35600000021112')).toBe(false);
    expect(isValidSiret('35600000000048')).toBe(true); // head office, Luhn-valid
  });

  it('makes valid SIRENs and SIRETs', () => {
    expect(makeSiren('21490999')).toHaveLength(9);
    expect(isValidSiren(makeSiren('21490999'))).toBe(true);
    for (const prefix of ['2149099', '214909990001', '7328293200007', '', '3560000001234']) {
      const siret = makeSiret(prefix);
      expect(siret).toHaveLength(14);
      expect(siret.startsWith(prefix.slice(0, 13))).toBe(true);
      expect(isValidSiret(siret)).toBe(true);
    }
    expect(makeSiret('7328293200007')).toBe('73282932000074');
    expect(luhnCheckDigit('7328293200007')).toBe('4');
    expect(() => makeSiret('12345678901234')).toThrow();
  });
});
