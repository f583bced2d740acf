import { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 5 "Send every status change back to Chorus Pro": per-structure return mode, the registry of CPPStatut
// files generated or imported, and what the API sender needs on the outbox (status_outbox is in the initial
// migration).
export class StatusReturn1700000005000 implements MigrationInterface {
  name = 'StatusReturn1700000005000';

  async up(q: QueryRunner): Promise<void> {
    // NULL = automatic: `api` once the structure has a technical account, `file` otherwise.
    await q.query(`ALTER TABLE structures ADD COLUMN return_mode varchar(10) CHECK (return_mode IN ('api', 'file', 'off'))`);
    // A call to traiter/recue may have left without an answer (timeout, crash): Chorus Pro's history is read
    // before sending again, so that a status is never sent twice for the same row.
    await q.query(`ALTER TABLE status_outbox ADD COLUMN outcome_unknown boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE status_outbox ADD COLUMN error_code varchar(50)`);
    await q.query(`CREATE SEQUENCE status_flow_idflx_seq`);
    await q.query(`
      CREATE TABLE status_flows (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        direction varchar(3) NOT NULL CHECK (direction IN ('out', 'in')),
        file_name varchar NOT NULL,
        id_flx varchar(100),
        dt_prd varchar(30),
        sha256 char(64) NOT NULL,
        storage_key char(64),
        size bigint NOT NULL,
        structure_id uuid REFERENCES structures(id),
        status_count int NOT NULL DEFAULT 0,
        outbox_ids bigint[] NOT NULL DEFAULT '{}',
        filters jsonb,
        report jsonb,
        created_by varchar NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX status_flows_out_idflx_uq ON status_flows (id_flx) WHERE direction = 'out'`);
    // The same file imported twice records its statuses once.
    await q.query(`CREATE UNIQUE INDEX status_flows_in_sha_uq ON status_flows (sha256) WHERE direction = 'in'`);
    await q.query(`CREATE INDEX status_flows_created_idx ON status_flows (created_at DESC)`);
    await q.query(
      `ALTER TABLE status_outbox ADD CONSTRAINT status_outbox_flow_fk FOREIGN KEY (status_flow_id) REFERENCES status_flows(id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE status_outbox DROP CONSTRAINT IF EXISTS status_outbox_flow_fk`);
    await q.query(`DROP TABLE IF EXISTS status_flows`);
    await q.query(`DROP SEQUENCE IF EXISTS status_flow_idflx_seq`);
    await q.query(`ALTER TABLE status_outbox DROP COLUMN IF EXISTS error_code`);
    await q.query(`ALTER TABLE status_outbox DROP COLUMN IF EXISTS outcome_unknown`);
    await q.query(`ALTER TABLE structures DROP COLUMN IF EXISTS return_mode`);
  }
}
