import { DomainError } from '@/common/errors/domain.error';
import { computeLateInterest, halfYearOf, HalfYearRate } from '@/late-interest/late-interest.calculator';

// Two rates of the shipped table (ECB main refinancing operations, in force on the half-year's first day).
const TABLE: Record<string, HalfYearRate> = {
  '2024-07-01': { halfYearStart: '2024-07-01', ecbRate: '4.25', source: 'BCE, en vigueur depuis le 12 juin 2024' },
  '2025-01-01': { halfYearStart: '2025-01-01', ecbRate: '3.15', source: 'BCE, en vigueur depuis le 18 décembre 2024' },
  '2025-07-01': { halfYearStart: '2025-07-01', ecbRate: '2.15', source: 'BCE, en vigueur depuis le 11 juin 2025' },
};
const rateOf = (start: string) => TABLE[start];

describe('intérêts moratoires (R2192-31, D2192-35)', () => {
  it('computes a figure checked by hand', () => {
    // Received 1 March 2025, due 31 March (30 days); paid 15 May: 30 days of April + 15 of May = 45 days late.
    // Interest runs from 1 April 2025 → 1st half-year 2025 → 3.15 % + 8 = 11.15 %.
    // 3 277,42 × 11,15 % = 365,432330 ; × 45 = 16 444,454850 ; ÷ 365 = 45,0533009589… → 45,05 € ; + 40 € = 85,05 €.
    const f = computeLateInterest({ dueDate: '2025-03-31', paidOn: '2025-05-15', base: '3277.420000' }, rateOf);
    expect(f).toEqual({
      dueDate: '2025-03-31',
      paidOn: '2025-05-15',
      runsFrom: '2025-04-01',
      daysLate: 45,
      halfYearStart: '2025-01-01',
      ecbRate: '3.15',
      rate: '11.15',
      rateSource: 'BCE, en vigueur depuis le 18 décembre 2024',
      base: '3277.420000',
      exactInterest: '45.0533009589',
      interest: '45.05',
      indemnity: '40.00',
      total: '85.05',
      payBefore: '2025-06-29',
    });
  });

  it('rounds once, half-up to the cent, from exact decimals', () => {
    // 1 000 × 12,25 % × 30 / 365 = 3 675 / 365 = 10,068493… → 10,07 €.
    const f = computeLateInterest({ dueDate: '2024-06-30', paidOn: '2024-07-30', base: '1000' }, rateOf);
    expect(f).toMatchObject({ daysLate: 30, rate: '12.25', interest: '10.07', total: '50.07' });
    // 0,10 × 11,15 % × 1 / 365 = 0,0000305… → 0,00 € of interest, the €40 indemnity is still due.
    expect(computeLateInterest({ dueDate: '2025-03-31', paidOn: '2025-04-01', base: '0.10' }, rateOf)).toMatchObject({
      daysLate: 1,
      interest: '0.00',
      total: '40.00',
    });
  });

  it('takes the rate of the half-year in which interest started to run, not of the payment', () => {
    expect(halfYearOf('2025-06-30')).toBe('2025-01-01');
    expect(halfYearOf('2025-07-01')).toBe('2025-07-01');
    // Due 29 June: runs from 30 June → 1st half-year (3.15 %), though paid in August.
    expect(computeLateInterest({ dueDate: '2025-06-29', paidOn: '2025-08-28', base: '1000' }, rateOf)).toMatchObject({
      halfYearStart: '2025-01-01',
      rate: '11.15',
    });
    // Due 30 June: runs from 1 July → 2nd half-year (2.15 %).
    expect(computeLateInterest({ dueDate: '2025-06-30', paidOn: '2025-08-29', base: '1000' }, rateOf)).toMatchObject({
      halfYearStart: '2025-07-01',
      rate: '10.15',
      daysLate: 60,
      // 1 000 × 10,15 % × 60 / 365 = 16,684931… → 16,68 €.
      interest: '16.68',
    });
  });

  it('owes nothing when paid on or before the due date', () => {
    expect(computeLateInterest({ dueDate: '2025-03-31', paidOn: '2025-03-31', base: '1000' }, rateOf)).toBeNull();
    expect(computeLateInterest({ dueDate: '2025-03-31', paidOn: '2025-03-02', base: '1000' }, rateOf)).toBeNull();
  });

  it('stops with a French message when the half-year has no rate, never guessing one', () => {
    let error: DomainError | null = null;
    try {
      computeLateInterest({ dueDate: '2025-12-31', paidOn: '2026-02-10', base: '1000' }, rateOf);
    } catch (err) {
      error = err as DomainError;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error?.code).toBe('LATE_INTEREST_RATE_MISSING');
    expect(error?.message).toMatch(/^Taux de la BCE inconnu pour le 1er semestre 2026 \(taux des opérations principales de refinancement en vigueur au 01\/01\/2026\) : les intérêts moratoires ne sont pas calculés\./);
    expect(error?.details).toEqual({ halfYearStart: '2026-01-01' });
  });
});
