import { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 15 « A million invoices »: the lists of « Intégration des flux » are read one (structure, status) branch at a
// time (invoices-query.repository.ts), each branch an ordered index range, so a page reads about one page of index
// entries per branch whatever the table size. One index per sort order: reception (reception_date, received_at),
// due date (the same expression as LIST_SORTS' DUE_KEY) and net à payer. The daily anomaly report reads one day of
// flow errors by created_at (anomaly-report.service.ts; invoice_anomalies_created_idx already exists).
export class MillionInvoices1700000015800 implements MigrationInterface {
  name = 'MillionInvoices1700000015800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX invoices_structure_status_reception_idx ON invoices (structure_id, status, reception_date, received_at, id)`);
    await q.query(`CREATE INDEX invoices_structure_status_due_idx ON invoices (structure_id, status, (coalesce(due_date, DATE '9999-12-31')), id)`);
    await q.query(`CREATE INDEX invoices_structure_status_net_amount_idx ON invoices (structure_id, status, net_amount, id)`);
    await q.query(`CREATE INDEX flow_errors_created_idx ON flow_errors (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS flow_errors_created_idx`);
    await q.query(`DROP INDEX IF EXISTS invoices_structure_status_net_amount_idx`);
    await q.query(`DROP INDEX IF EXISTS invoices_structure_status_due_idx`);
    await q.query(`DROP INDEX IF EXISTS invoices_structure_status_reception_idx`);
  }
}
