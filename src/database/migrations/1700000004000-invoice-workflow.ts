import { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 4 "Stage invoices for mandating or rejection": users and authentication, motifs, mandates with their
// imputations, gapless sequences. The `status_outbox` table already exists (initial migration).
export class InvoiceWorkflow1700000004000 implements MigrationInterface {
  name = 'InvoiceWorkflow1700000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL UNIQUE,
        role varchar(20) NOT NULL CHECK (role IN ('agent', 'tresorier', 'admin')),
        password_hash varchar(100),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE user_structures (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        structure_id uuid NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, structure_id)
      )`);
    await q.query(`CREATE INDEX user_structures_structure_idx ON user_structures (structure_id)`);
    // The gestionnaire principal: at most one per structure, enforced by the primary key.
    await q.query(`
      CREATE TABLE structure_main_admins (
        structure_id uuid PRIMARY KEY REFERENCES structures(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id),
        since timestamptz NOT NULL DEFAULT now()
      )`);
    // Only the SHA-256 of a token is stored: a stolen database does not give API access.
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL UNIQUE,
        prefix varchar(16) NOT NULL,
        label varchar(100),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE reasons (
        code varchar(50) PRIMARY KEY,
        label varchar(200) NOT NULL,
        actions text[] NOT NULL DEFAULT '{reject,suspend}',
        active boolean NOT NULL DEFAULT true,
        position int NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Gapless numbering (mandates per budget and year; PES bordereaux and titres): one row per scope and
    // year, incremented with UPDATE … RETURNING inside the caller's transaction, so a rollback gives the
    // number back and nothing is skipped.
    await q.query(`
      CREATE TABLE sequences (
        scope varchar(100) NOT NULL,
        year int NOT NULL,
        last int NOT NULL,
        PRIMARY KEY (scope, year)
      )`);
    // UNIQUE (invoice_id): an invoice never gets two mandates, whatever the application does.
    await q.query(`
      CREATE TABLE mandates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL UNIQUE REFERENCES invoices(id),
        structure_id uuid NOT NULL REFERENCES structures(id),
        year int NOT NULL,
        sequence int NOT NULL,
        number varchar(20) NOT NULL,
        supplier_id varchar(100) NOT NULL,
        supplier_name varchar NOT NULL,
        iban varchar(100),
        bank_holder varchar,
        object varchar(500) NOT NULL,
        train varchar(20) NOT NULL CHECK (train IN ('normal', 'attente')),
        amount numeric(24,2) NOT NULL,
        created_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (structure_id, year, sequence)
      )`);
    await q.query(`
      CREATE TABLE mandate_imputations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        mandate_id uuid NOT NULL REFERENCES mandates(id) ON DELETE CASCADE,
        position int NOT NULL,
        article varchar(20) NOT NULL,
        fonction varchar(20),
        operation varchar(20),
        service varchar(100),
        amount numeric(24,2) NOT NULL,
        engagement varchar(100)
      )`);
    await q.query(`CREATE INDEX mandate_imputations_mandate_idx ON mandate_imputations (mandate_id)`);
    await q.query(`
      CREATE TABLE mandate_attachments (
        mandate_id uuid NOT NULL REFERENCES mandates(id) ON DELETE CASCADE,
        attachment_id uuid NOT NULL REFERENCES invoice_attachments(id),
        PRIMARY KEY (mandate_id, attachment_id)
      )`);
    await q.query(`CREATE INDEX invoices_due_date_idx ON invoices (due_date) WHERE due_date IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS invoices_due_date_idx`);
    for (const t of [
      'mandate_attachments',
      'mandate_imputations',
      'mandates',
      'sequences',
      'reasons',
      'sessions',
      'api_tokens',
      'structure_main_admins',
      'user_structures',
      'users',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
