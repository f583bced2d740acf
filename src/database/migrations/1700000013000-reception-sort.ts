import { MigrationInterface, QueryRunner } from 'typeorm';

// The lists' « Réception » sort follows the reception date they show (DateReception), then the instant the flow was
// read, keyset-paged on (reception_date, received_at, id): invoices-query.repository.ts LIST_SORTS. One index for the
// unfiltered list, one within a status (the lists of « Intégration des flux » are status tabs).
export class ReceptionSort1700000013000 implements MigrationInterface {
  name = 'ReceptionSort1700000013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX invoices_reception_idx ON invoices (reception_date, received_at, id)`);
    await q.query(`CREATE INDEX invoices_status_reception_idx ON invoices (status, reception_date, received_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS invoices_status_reception_idx`);
    await q.query(`DROP INDEX IF EXISTS invoices_reception_idx`);
  }
}
