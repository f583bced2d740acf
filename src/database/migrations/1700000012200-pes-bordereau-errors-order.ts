import { MigrationInterface, QueryRunner } from 'typeorm';

// Hélios errors listed in the order they were read, also when two acquits are read within the same instant.
export class PesBordereauErrorsOrder1700000012200 implements MigrationInterface {
  name = 'PesBordereauErrorsOrder1700000012200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pes_bordereau_errors ADD COLUMN seq bigserial`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pes_bordereau_errors DROP COLUMN seq`);
  }
}
