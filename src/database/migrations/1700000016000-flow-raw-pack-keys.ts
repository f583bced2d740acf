import { MigrationInterface, QueryRunner } from 'typeorm';

// A small raw flow (the pull's one-invoice flows) is kept as a gzip member of its group's pack: its storage key says
// where it lies, `pack:<name>:<offset>:<size>:gz`, longer than the 64 characters of a SHA-256 (see packKey).
// Only the column's type changes; existing keys (SHA-256) stay as they are.
export class FlowRawPackKeys1700000016000 implements MigrationInterface {
  name = 'FlowRawPackKeys1700000016000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE flows ALTER COLUMN storage_key TYPE varchar(100)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Packed keys do not fit back: only possible on a database that holds none.
    await q.query(`ALTER TABLE flows ALTER COLUMN storage_key TYPE char(64)`);
  }
}
