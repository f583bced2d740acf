import { MigrationInterface, QueryRunner } from 'typeorm';

// A flow's small attachments are stored in one pack file (one fsync per flow instead of one per PJ): their storage
// key says where they lie, `pack:<name>:<offset>:<size>`, longer than the 64 characters of a SHA-256.
export class AttachmentPackKeys1700000009000 implements MigrationInterface {
  name = 'AttachmentPackKeys1700000009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoice_attachments ALTER COLUMN storage_key TYPE varchar(100)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Packed keys do not fit back: only possible on a database that holds none.
    await q.query(`ALTER TABLE invoice_attachments ALTER COLUMN storage_key TYPE char(64)`);
  }
}
