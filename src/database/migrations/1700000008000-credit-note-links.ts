import { MigrationInterface, QueryRunner } from 'typeorm';

// Linking a credit note (381) to its origin invoice runs after every flow: both directions must be index
// lookups, not a scan of all invoices (the nightly pull imports thousands of one-invoice flows).
export class CreditNoteLinks1700000008000 implements MigrationInterface {
  name = 'CreditNoteLinks1700000008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX invoices_unlinked_credit_notes_idx ON invoices (supplier_id, origin_number)
        WHERE type = '381' AND origin_number IS NOT NULL AND origin_invoice_id IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS invoices_unlinked_credit_notes_idx`);
  }
}
