import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface RateRow {
  halfYearStart: string;
  ecbRate: string;
  source: string;
  updatedBy: string;
  updatedAt: Date;
}

/** SQL of the ECB rate table (`late_interest_rates`, migration 1700000014500). */
@Injectable()
export class LateInterestRatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  all(): Promise<RateRow[]> {
    return this.dataSource.query(
      `SELECT half_year_start AS "halfYearStart", ecb_rate AS "ecbRate", source, updated_by AS "updatedBy", updated_at AS "updatedAt"
         FROM late_interest_rates ORDER BY half_year_start`,
    );
  }

  async upsert(row: { halfYearStart: string; ecbRate: string; source: string; updatedBy: string; now: Date }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO late_interest_rates (half_year_start, ecb_rate, source, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (half_year_start) DO UPDATE SET ecb_rate = EXCLUDED.ecb_rate, source = EXCLUDED.source,
              updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [row.halfYearStart, row.ecbRate, row.source, row.updatedBy, row.now],
    );
  }
}
