import { MigrationInterface, QueryRunner } from 'typeorm';

// Motifs of rejection and suspension per structure: `reasons` stays the shipped default list (config/reasons.json)
// that every structure starts from; a structure's administrators add, relabel or deactivate motifs for their
// structure only, as rows here (a code here overrides the default of the same code).
export class StructureReasons1700000010200 implements MigrationInterface {
  name = 'StructureReasons1700000010200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE structure_reasons (
        structure_id uuid NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
        code varchar(50) NOT NULL,
        label varchar(200) NOT NULL,
        actions text[] NOT NULL DEFAULT '{reject,suspend}',
        active boolean NOT NULL DEFAULT true,
        position int NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (structure_id, code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS structure_reasons`);
  }
}
