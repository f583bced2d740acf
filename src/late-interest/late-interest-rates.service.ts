import { Injectable } from '@nestjs/common';
import { Clock } from '@/clock/clock.port';
import { DomainError } from '@/common/errors/domain.error';
import { formatFrenchDate, parseFrenchAmount } from '@/common/money/french-format';
import { money } from '@/common/money/money';
import { AppConfig } from '@/config/app.config';
import { localDate } from '@/common/time/local-date';
import { halfYearLabel, HalfYearRate, trimRate } from '@/late-interest/late-interest.calculator';
import { LateInterestRatesRepository } from '@/late-interest/late-interest-rates.repository';
import { assertAdmin, Principal } from '@/users/principal';

export interface RateView extends HalfYearRate {
  label: string;
  /** ECB rate + 8 points (R2192-31). */
  lateInterestRate: string;
  updatedBy: string;
  updatedAt: Date;
}

const MAX_SOURCE = 500;

/**
 * The ECB main refinancing rate of each half-year: configuration, shipped with the rates the ECB published
 * (migration 1700000014500), edited by an administrator when a half-year starts. A half-year that has not started has
 * no rate yet (the rate is the one in force on its first day), so it cannot be entered in advance.
 */
@Injectable()
export class LateInterestRatesService {
  constructor(
    private readonly repository: LateInterestRatesRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async list(): Promise<RateView[]> {
    return (await this.repository.all()).map((r) => ({
      halfYearStart: r.halfYearStart,
      ecbRate: trimRate(r.ecbRate),
      source: r.source,
      label: halfYearLabel(r.halfYearStart),
      lateInterestRate: trimRate(money(r.ecbRate).plus(8)),
      updatedBy: r.updatedBy,
      updatedAt: r.updatedAt,
    }));
  }

  /** The table as a lookup for the calculator (read once per computation). */
  async lookup(): Promise<(halfYearStart: string) => HalfYearRate | undefined> {
    const rates = new Map((await this.list()).map((r) => [r.halfYearStart, r]));
    return (start) => rates.get(start);
  }

  /** ECB rate (%) of the half-year starting `halfYearStart`, or null when the table has none (never guessed). */
  async ecbRateOf(halfYearStart: string): Promise<string | null> {
    return (await this.lookup())(halfYearStart)?.ecbRate ?? null;
  }

  /** Sets the rate of a half-year (`2026-01-01`, or `2026-S1` / `2026-S2`); `ecbRate` in %, « 2,15 » or « 2.15 ». */
  async set(principal: Principal, halfYear: string, ecbRate: string, source: string): Promise<RateView> {
    assertAdmin(principal);
    const halfYearStart = parseHalfYear(halfYear);
    const today = localDate(this.clock.now(), this.config.timezone);
    if (halfYearStart > today) {
      throw new DomainError(
        'LATE_INTEREST_RATE_FUTURE',
        `Le ${halfYearLabel(halfYearStart)} n'a pas commencé : son taux est celui de la BCE en vigueur le ${formatFrenchDate(halfYearStart)}, il ne peut pas être saisi à l'avance`,
      );
    }
    const rate = parseFrenchAmount(String(ecbRate ?? ''));
    if (rate === null || money(rate).abs().gte(100)) {
      throw new DomainError('LATE_INTEREST_RATE_INVALID', `Taux de la BCE illisible : « ${ecbRate} » (un pourcentage, par exemple 2,15)`);
    }
    const text = String(source ?? '').trim().replace(/\s+/g, ' ');
    if (!text) throw new DomainError('LATE_INTEREST_SOURCE_REQUIRED', 'La source du taux est obligatoire (décision de la BCE, publication de la Banque de France…)');
    if ([...text].length > MAX_SOURCE) throw new DomainError('LATE_INTEREST_SOURCE_TOO_LONG', `Source trop longue (${MAX_SOURCE} caractères au plus)`);
    await this.repository.upsert({ halfYearStart, ecbRate: rate, source: text, updatedBy: principal.email, now: this.clock.now() });
    const saved = (await this.list()).find((r) => r.halfYearStart === halfYearStart);
    return saved as RateView;
  }
}

/** '2026-01-01' | '2026-07-01' | '2026-S1' | '2026-S2' → first day of the half-year. */
export function parseHalfYear(value: string): string {
  const text = String(value ?? '').trim().toUpperCase();
  const semester = /^(\d{4})-S([12])$/.exec(text);
  if (semester) return `${semester[1]}-${semester[2] === '1' ? '01' : '07'}-01`;
  if (/^\d{4}-(01|07)-01$/.test(text)) return text;
  throw new DomainError(
    'HALF_YEAR_INVALID',
    `Semestre illisible : « ${value} » (premier jour du semestre, AAAA-01-01 ou AAAA-07-01, ou AAAA-S1 / AAAA-S2)`,
  );
}
