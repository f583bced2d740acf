import { MigrationInterface, QueryRunner } from 'typeorm';

// Structure settings read from Chorus Pro (issue 15): the structure's Chorus Pro id (structures/v1/rechercher, asked
// once), the last `parametres` read (structures/v1/consulter) and when; every change applied by a sync is one row of
// `structure_history` (services added, renamed, deactivated; « obligatoire » settings changed), shown on the admin page.
export class StructureSync1700000015400 implements MigrationInterface {
  name = 'StructureSync1700000015400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE structures
        ADD COLUMN cpro_structure_id bigint NULL,
        ADD COLUMN cpro_settings jsonb NULL,
        ADD COLUMN cpro_synced_at timestamptz NULL`);
    await q.query(`
      CREATE TABLE structure_history (
        id bigserial PRIMARY KEY,
        structure_id uuid NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        source varchar(30) NOT NULL,
        change varchar(40) NOT NULL,
        service_code varchar(100) NULL,
        before jsonb NULL,
        after jsonb NULL,
        message text NOT NULL
      )`);
    await q.query(`CREATE INDEX structure_history_structure_idx ON structure_history (structure_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS structure_history`);
    await q.query(`ALTER TABLE structures DROP COLUMN IF EXISTS cpro_structure_id, DROP COLUMN IF EXISTS cpro_settings, DROP COLUMN IF EXISTS cpro_synced_at`);
  }
}
