import { addDays, daysLeft, localDate, paymentDelayDays, resumeDueDate } from '@/invoices/payment-deadline';

describe('payment deadline (délai global de paiement)', () => {
  it('takes the calendar day in the collectivité time zone', () => {
    expect(localDate(new Date('2026-03-14T23:30:00Z'), 'Europe/Paris')).toBe('2026-03-15');
    expect(localDate(new Date('2026-03-14T10:00:00Z'), 'Europe/Paris')).toBe('2026-03-14');
  });

  it('adds days across months and leap years', () => {
    expect(addDays('2024-02-20', 30)).toBe('2024-03-21');
    expect(addDays('2025-12-15', 50)).toBe('2026-02-03');
  });

  it('gives 30 days to a collectivité, 50 to an établissement public de santé (R2192-10)', () => {
    expect(paymentDelayDays(false)).toBe(30);
    expect(paymentDelayDays(true)).toBe(50);
    // Received 1 March 2026: due 31 March, or 20 April for a hospital.
    expect(addDays('2026-03-01', paymentDelayDays(false))).toBe('2026-03-31');
    expect(addDays('2026-03-01', paymentDelayDays(true))).toBe('2026-04-20');
  });

  it('opens a new delay of 30 days when the suspension ends, the balance being shorter (R2192-29)', () => {
    // Received 1 March, due 31 March; suspended 10 March (21 days left), completed 22 March: 22 March + 30 days.
    expect(resumeDueDate('2026-03-31', '2026-03-10', '2026-03-22')).toBe('2026-04-21');
    // Frozen meanwhile: 21 days left whatever the day.
    expect(daysLeft('2026-03-31', '2026-03-20', '2026-03-10')).toBe(21);
    expect(daysLeft('2026-04-21', '2026-03-22', null)).toBe(30);
    expect(resumeDueDate(null, '2026-03-10', '2026-03-22')).toBeNull();
  });

  it('keeps the balance left when it is longer than 30 days (a 50-day body suspended early)', () => {
    // Hospital: received 1 March, due 20 April; suspended 5 March with 46 days left, completed 15 March.
    expect(resumeDueDate('2026-04-20', '2026-03-05', '2026-03-15')).toBe('2026-04-30');
    // Same hospital suspended 1 April (19 days left): the new delay is thirty days, not fifty.
    expect(resumeDueDate('2026-04-20', '2026-04-01', '2026-04-10')).toBe('2026-05-10');
    // Exactly 30 days left: 30 days either way.
    expect(resumeDueDate('2026-04-09', '2026-03-10', '2026-03-12')).toBe('2026-04-11');
  });
});
