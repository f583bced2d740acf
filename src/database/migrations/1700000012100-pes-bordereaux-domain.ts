import { MigrationInterface, QueryRunner } from 'typeorm';

// PES bordereaux of every domain (recette titres, dépense mandats): a `domain` on the bordereau, its IdBord
// numbered per domain; `nom_fic` (Enveloppe/Parametres/NomFic, what Hélios' acquits refer to); the PJ IdUniques
// each file carries (an acquit of domain 4 names a PJ, never a bordereau); every Hélios error kept with its
// domain, piece and line (a file may reject several pieces); the acquits already applied.
export class PesBordereauxDomain1700000012100 implements MigrationInterface {
  name = 'PesBordereauxDomain1700000012100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pes_bordereaux
      ADD COLUMN domain varchar(10) NOT NULL DEFAULT 'recette',
      ADD COLUMN nom_fic varchar(100)`);
    await q.query(`ALTER TABLE pes_bordereaux ADD CONSTRAINT pes_bordereaux_domain_chk CHECK (domain IN ('recette', 'depense'))`);
    await q.query(`UPDATE pes_bordereaux SET nom_fic = regexp_replace(file_name, '\\.xml$', '')`);
    await q.query(`ALTER TABLE pes_bordereaux ALTER COLUMN nom_fic SET NOT NULL`);
    await q.query(`CREATE INDEX pes_bordereaux_nom_fic_idx ON pes_bordereaux (nom_fic)`);
    // Titres and mandats have their own bordereau numbers.
    await q.query(`ALTER TABLE pes_bordereaux DROP CONSTRAINT IF EXISTS pes_bordereaux_budget_id_year_number_key`);
    await q.query(`ALTER TABLE pes_bordereaux ADD CONSTRAINT pes_bordereaux_budget_domain_year_number_key UNIQUE (budget_id, domain, year, number)`);
    await q.query(`
      CREATE TABLE pes_bordereau_pjs (
        id_unique varchar(50) PRIMARY KEY,
        bordereau_id uuid NOT NULL REFERENCES pes_bordereaux(id) ON DELETE CASCADE,
        piece int NOT NULL,
        type_pj varchar(3)
      )`);
    await q.query(`CREATE INDEX pes_bordereau_pjs_bordereau_idx ON pes_bordereau_pjs (bordereau_id, piece)`);
    // The ASAP / PDF ids written before v5.17 (ASAP<year>B<bord>T<titre>, DOC…): acquits of older files still match.
    await q.query(`
      INSERT INTO pes_bordereau_pjs (id_unique, bordereau_id, piece, type_pj)
      SELECT 'ASAP' || b.year || 'B' || b.number || 'T' || t.number, b.id, t.number, '006'
        FROM pes_titres t JOIN pes_bordereaux b ON b.id = t.bordereau_id
      ON CONFLICT DO NOTHING`);
    await q.query(`
      INSERT INTO pes_bordereau_pjs (id_unique, bordereau_id, piece, type_pj)
      SELECT 'DOC' || b.year || 'B' || b.number || 'T' || t.number, b.id, t.number, '008'
        FROM pes_titres t JOIN pes_bordereaux b ON b.id = t.bordereau_id WHERE t.pdf_storage_key IS NOT NULL
      ON CONFLICT DO NOTHING`);
    await q.query(`
      CREATE TABLE pes_bordereau_errors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bordereau_id uuid NOT NULL REFERENCES pes_bordereaux(id) ON DELETE CASCADE,
        acquit_sha256 char(64) NOT NULL,
        acquit_nom_fic varchar(100),
        position int NOT NULL,
        domaine varchar(3) NOT NULL,
        id_unique varchar(50),
        piece varchar(13),
        line varchar(13),
        ano_code varchar(60),
        helios_code varchar(10),
        message text NOT NULL,
        received_at timestamptz NOT NULL,
        UNIQUE (bordereau_id, acquit_sha256, position)
      )`);
    await q.query(`CREATE INDEX pes_bordereau_errors_bordereau_idx ON pes_bordereau_errors (bordereau_id, received_at, position)`);
    // Acquits already applied (the same file read again changes nothing, an older one read late neither).
    await q.query(`
      CREATE TABLE pes_acquits (
        sha256 char(64) PRIMARY KEY,
        budget_id uuid NOT NULL REFERENCES pes_budgets(id),
        nom_fic varchar(100),
        received_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS pes_acquits`);
    await q.query(`DROP TABLE IF EXISTS pes_bordereau_errors`);
    await q.query(`DROP TABLE IF EXISTS pes_bordereau_pjs`);
    await q.query(`ALTER TABLE pes_bordereaux DROP CONSTRAINT IF EXISTS pes_bordereaux_budget_domain_year_number_key`);
    await q.query(`DELETE FROM pes_bordereaux WHERE domain <> 'recette'`);
    await q.query(`ALTER TABLE pes_bordereaux ADD CONSTRAINT pes_bordereaux_budget_id_year_number_key UNIQUE (budget_id, year, number)`);
    await q.query(`DROP INDEX IF EXISTS pes_bordereaux_nom_fic_idx`);
    await q.query(`ALTER TABLE pes_bordereaux DROP CONSTRAINT IF EXISTS pes_bordereaux_domain_chk`);
    await q.query(`ALTER TABLE pes_bordereaux DROP COLUMN nom_fic, DROP COLUMN domain`);
  }
}
