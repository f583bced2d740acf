import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payment clock as the Code de la commande publique says (issue 14):
 * - `structures.public_health_body`: R2192-10 gives 30 days to collectivités, 50 to établissements publics de
 *   santé; the flag says which, `payment_delay_days` follows it (a structure already at 50 days is one).
 * - `late_interest_rates`: ECB main refinancing rate in force on the first day of each half-year (R2192-31:
 *   intérêts moratoires = that rate + 8 points). Shipped with the rates published by the ECB (key ECB interest
 *   rates, fixed-rate tenders) for the half-years since the decree 2013-269 brought this rule (same rule, CCP
 *   since 2019); a later half-year is added by an administrator, never guessed.
 */
// Source: ECB, « Key ECB interest rates » (https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html),
// also published by the Banque de France; the decision's effective date is kept with each rate.
const ECB = 'BCE, taux des opérations principales de refinancement (ecb.europa.eu, « Key ECB interest rates »)';

/** [first day of the half-year, MRO rate in %, ECB decision in force that day (effective date)]. */
const SHIPPED_RATES: ReadonlyArray<[string, string, string]> = [
  ['2013-07-01', '0.50', '8 mai 2013'],
  ['2014-01-01', '0.25', '13 novembre 2013'],
  ['2014-07-01', '0.15', '11 juin 2014'],
  ['2015-01-01', '0.05', '10 septembre 2014'],
  ['2015-07-01', '0.05', '10 septembre 2014'],
  ['2016-01-01', '0.05', '9 décembre 2015'],
  ['2016-07-01', '0.00', '16 mars 2016'],
  ['2017-01-01', '0.00', '16 mars 2016'],
  ['2017-07-01', '0.00', '16 mars 2016'],
  ['2018-01-01', '0.00', '16 mars 2016'],
  ['2018-07-01', '0.00', '16 mars 2016'],
  ['2019-01-01', '0.00', '16 mars 2016'],
  ['2019-07-01', '0.00', '16 mars 2016'],
  ['2020-01-01', '0.00', '18 septembre 2019'],
  ['2020-07-01', '0.00', '18 septembre 2019'],
  ['2021-01-01', '0.00', '18 septembre 2019'],
  ['2021-07-01', '0.00', '18 septembre 2019'],
  ['2022-01-01', '0.00', '18 septembre 2019'],
  ['2022-07-01', '0.00', '18 septembre 2019'],
  ['2023-01-01', '2.50', '21 décembre 2022'],
  ['2023-07-01', '4.00', '21 juin 2023'],
  ['2024-01-01', '4.50', '20 septembre 2023'],
  ['2024-07-01', '4.25', '12 juin 2024'],
  ['2025-01-01', '3.15', '18 décembre 2024'],
  ['2025-07-01', '2.15', '11 juin 2025'],
];

export class PaymentClock1700000014500 implements MigrationInterface {
  name = 'PaymentClock1700000014500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE structures ADD COLUMN public_health_body boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE structures SET public_health_body = true WHERE payment_delay_days = 50`);
    await q.query(`
      CREATE TABLE late_interest_rates (
        half_year_start date PRIMARY KEY CHECK (extract(day FROM half_year_start) = 1 AND extract(month FROM half_year_start) IN (1, 7)),
        ecb_rate numeric(7,4) NOT NULL CHECK (ecb_rate > -100 AND ecb_rate < 100),
        source text NOT NULL,
        updated_by varchar(320) NOT NULL DEFAULT 'livré avec Passerelle',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const [start, rate, decision] of SHIPPED_RATES) {
      await q.query(`INSERT INTO late_interest_rates (half_year_start, ecb_rate, source) VALUES ($1, $2, $3)`, [
        start,
        rate,
        `${ECB}, en vigueur depuis le ${decision}`,
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS late_interest_rates`);
    await q.query(`ALTER TABLE structures DROP COLUMN IF EXISTS public_health_body`);
  }
}
