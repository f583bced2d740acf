import { MigrationInterface, QueryRunner } from 'typeorm';

// Which structures may see a flow (« Suivi démat »), decided when it is imported: the recipients of its invoices,
// and for a rejected or partly unreadable file the structure it was pulled for, the uploader's structure or the
// recipients a lenient scan of the raw bytes finds. A flow with no row here belongs to no structure: like an
// invoice with no structure, administrators only.
export class FlowStructures1700000010000 implements MigrationInterface {
  name = 'FlowStructures1700000010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE flow_structures (
        flow_id uuid NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
        structure_id uuid NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
        PRIMARY KEY (flow_id, structure_id)
      )`);
    await q.query(`CREATE INDEX flow_structures_structure_idx ON flow_structures (structure_id, flow_id)`);
    // Flows imported before: attributed to the structures of the invoices they carried.
    await q.query(`
      INSERT INTO flow_structures (flow_id, structure_id)
      SELECT DISTINCT flow_id, structure_id FROM invoices WHERE structure_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS flow_structures`);
  }
}
