import { MigrationInterface, QueryRunner } from 'typeorm';

// Issue « Pull received invoices from the Chorus Pro API every night »: technical accounts of structures
// (password encrypted, AES-256-GCM), the PISTE quota counters shared by every instance, and the pull's
// per-structure windows (last successful window end, lease) and per-run claims (each structure once per run).
export class ChorusProPull1700000003000 implements MigrationInterface {
  name = 'ChorusProPull1700000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE structures ADD COLUMN cpro_login varchar(255)`);
    await q.query(`ALTER TABLE structures ADD COLUMN cpro_password_enc text`);
    await q.query(`ALTER TABLE structures ADD COLUMN cpro_account_updated_at timestamptz`);
    await q.query(`CREATE TABLE chorus_pro_call_slots (slot bigint PRIMARY KEY, count int NOT NULL)`);
    await q.query(`CREATE TABLE chorus_pro_call_days (day date PRIMARY KEY, count bigint NOT NULL)`);
    await q.query(`
      CREATE TABLE pull_windows (
        structure_id uuid PRIMARY KEY REFERENCES structures(id) ON DELETE CASCADE,
        window_end timestamptz,
        last_success_at timestamptz,
        last_error text,
        locked_by varchar(100),
        locked_until timestamptz
      )`);
    await q.query(`
      CREATE TABLE pull_claims (
        structure_id uuid NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
        run_key varchar(100) NOT NULL,
        instance_id varchar(100) NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        outcome varchar(20),
        error text,
        api_calls int,
        PRIMARY KEY (structure_id, run_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pull_claims`);
    await q.query(`DROP TABLE pull_windows`);
    await q.query(`DROP TABLE chorus_pro_call_days`);
    await q.query(`DROP TABLE chorus_pro_call_slots`);
    await q.query(`ALTER TABLE structures DROP COLUMN cpro_account_updated_at`);
    await q.query(`ALTER TABLE structures DROP COLUMN cpro_password_enc`);
    await q.query(`ALTER TABLE structures DROP COLUMN cpro_login`);
  }
}
