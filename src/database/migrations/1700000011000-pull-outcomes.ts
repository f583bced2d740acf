import { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 11 « a crashed pull silently skips structures »: the last outcome of each structure's pull — ok, failed with
// the French error, or skipped with the reason — shown by the API, the admin page and /metrics.
export class PullOutcomes1700000011000 implements MigrationInterface {
  name = 'PullOutcomes1700000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pull_outcomes (
        structure_id uuid PRIMARY KEY REFERENCES structures(id) ON DELETE CASCADE,
        outcome varchar(20) NOT NULL CHECK (outcome IN ('ok', 'failed', 'skipped')),
        message text,
        run_key varchar(100) NOT NULL,
        instance_id varchar(100) NOT NULL,
        api_calls int NOT NULL DEFAULT 0,
        at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pull_outcomes`);
  }
}
