import { addDays, daysLeft, localDate, resumeDueDate } from '@/invoices/payment-deadline';

describe('payment deadline (délai global de paiement)', () => {
  it('takes the calendar day in the collectivité time zone', () => {
    expect(localDate(new Date('2026-03-14T23:30:00Z'), 'Europe/Paris')).toBe('2026-03-15');
    expect(localDate(new Date('2026-03-14T10:00:00Z'), 'Europe/Paris')).toBe('2026-03-14');
  });

  it('adds days across months and leap years', () => {
    expect(addDays('2024-02-20', 30)).toBe('2024-03-21');
    expect(addDays('2025-12-15', 50)).toBe('2026-02-03');
  });

  it('is pushed back by the days spent suspended, and frozen meanwhile', () => {
    // Received 1 March, 30 days → 31 March; suspended 10 March, completed 22 March: 12 days paused.
    expect(resumeDueDate('2026-03-31', '2026-03-10', '2026-03-22')).toBe('2026-04-12');
    expect(daysLeft('2026-03-31', '2026-03-20', '2026-03-10')).toBe(21);
    expect(daysLeft('2026-04-12', '2026-03-22', null)).toBe(21);
    expect(resumeDueDate(null, '2026-03-10', '2026-03-22')).toBeNull();
  });
});
