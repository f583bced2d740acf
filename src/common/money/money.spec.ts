import Decimal from 'decimal.js';
import { formatAmount, sumAmounts, withinTolerance } from '@/common/money/money';

describe('formatAmount', () => {
  const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

  it('gives the canonical 6-decimal string of pivot amounts, as Decimal does, fast path or not', () => {
    const samples = ['0', '7', '3245.681450', '3924.4338', '-12.5', '-0.000001', '0.1', '100000000000000000000000000000', '-0', '-0.000', '007.5', '+3', '1e3', '.5', '5.', '12.1234567', ' 12.5', '123456789012345678901234567890.123456'];
    // Random plain decimals with 0 to 6 decimals, signed or not.
    for (let i = 0; i < 2000; i++) {
      const int = String(Math.floor(Math.random() * 10 ** (1 + (i % 12))));
      const frac = String(Math.floor(Math.random() * 1e6)).padStart(6, '0').slice(0, i % 7);
      samples.push(`${i % 3 === 0 ? '-' : ''}${int}${frac ? `.${frac}` : ''}`);
    }
    for (const s of samples) {
      let expected: string;
      try {
        expected = new D(s.trim()).toFixed(6);
      } catch {
        continue; // not a number for Decimal either (then formatAmount throws too)
      }
      if (s !== s.trim()) continue;
      expect([s, formatAmount(s)]).toEqual([s, expected]);
    }
  });

  it('rounds half-up beyond 6 decimals and keeps other precisions', () => {
    expect(formatAmount('1.0000005')).toBe('1.000001');
    expect(formatAmount('2.345', 2)).toBe('2.35');
  });
});

describe('sumAmounts and withinTolerance', () => {
  const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
  const samples = ['0', '-0', '3245.681450', '-12.5', '0.000001', '999999999999999999.999999', '+3', '007.5', '1e3', '.5', '12.1234567'];
  for (let i = 0; i < 500; i++) {
    const frac = String(Math.floor(Math.random() * 1e6)).padStart(6, '0').slice(0, i % 7);
    samples.push(`${i % 4 === 0 ? '-' : ''}${Math.floor(Math.random() * 10 ** (1 + (i % 15)))}${frac ? `.${frac}` : ''}`);
  }

  it('adds exactly, as Decimal does, whatever the form (fast path or not)', () => {
    for (let i = 0; i < samples.length; i++) {
      const values = [samples[i], samples[(i * 7) % samples.length], samples[(i * 13) % samples.length]];
      const expected = values.reduce((a, v) => a.plus(new D(v)), new D(0));
      expect([values, new D(sumAmounts(values)).toFixed(6)]).toEqual([values, expected.toFixed(6)]);
    }
    expect(sumAmounts([])).toBe('0');
    expect(sumAmounts(['0.1', '0.2'])).toBe('0.3');
    expect(sumAmounts(['-1.5', '1.25'])).toBe('-0.25');
  });

  it('compares within the tolerance exactly, at its bound included', () => {
    expect(withinTolerance('100.01', '100', '0.01')).toBe(true);
    expect(withinTolerance('100.010001', '100', '0.01')).toBe(false);
    expect(withinTolerance('-0.005', '0.005', '0.01')).toBe(true);
    expect(withinTolerance('1e2', '100.01')).toBe(true);
    for (let i = 0; i + 1 < samples.length; i++) {
      const [a, b] = [samples[i], samples[i + 1]];
      const expected = new D(a).minus(new D(b)).abs().lte(new D('0.01'));
      expect([a, b, withinTolerance(a, b)]).toEqual([a, b, expected]);
    }
  });
});
