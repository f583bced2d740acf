import { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 7 "Web pages": the lists of « Intégration des flux » sort by due date and by net amount, keyset-paged
// on (key, id) within a status (invoices-query.repository.ts LIST_SORTS). The reception-time sort already has
// its indexes (initial migration). The due-date expression is the repository's: invoices without one last.
export class WebListSorts1700000007000 implements MigrationInterface {
  name = 'WebListSorts1700000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX invoices_status_due_key_idx ON invoices (status, (coalesce(due_date, DATE '9999-12-31')), id)`);
    await q.query(`CREATE INDEX invoices_status_net_amount_idx ON invoices (status, net_amount, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS invoices_status_net_amount_idx`);
    await q.query(`DROP INDEX IF EXISTS invoices_status_due_key_idx`);
  }
}
