import { MigrationInterface, QueryRunner } from 'typeorm';

// Who issued each API token: the user themselves, an administrator of all of that user's structures, or — NULL — the
// operator on the server (CLI). Tokens issued before this migration have no known issuer (NULL).
export class ApiTokenIssuer1700000010100 implements MigrationInterface {
  name = 'ApiTokenIssuer1700000010100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens ADD COLUMN issued_by uuid REFERENCES users(id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens DROP COLUMN IF EXISTS issued_by`);
  }
}
