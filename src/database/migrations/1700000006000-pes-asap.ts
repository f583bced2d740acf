import { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 6 — PES ASAP: directory of public structures (Chorus Pro « annuaire »), budget settings
// (Corail « PES Facture ASAP – paramétrage global »), titres de recettes and their lines, bordereaux.
// Money columns are numeric(16,2): PES amounts are Base_Montant (14 digits, 2 decimals).
export class PesAsap1700000006000 implements MigrationInterface {
  name = 'PesAsap1700000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directory_structures (
        siret varchar(14) PRIMARY KEY,
        id_structure_cpp bigint,
        name varchar NOT NULL,
        active boolean NOT NULL DEFAULT true,
        est_moa boolean NOT NULL DEFAULT false,
        service_required boolean NOT NULL DEFAULT false,
        engagement_required boolean NOT NULL DEFAULT false,
        source varchar(10) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE directory_services (
        siret varchar(14) NOT NULL REFERENCES directory_structures(siret) ON DELETE CASCADE,
        code varchar(100) NOT NULL,
        label varchar NOT NULL,
        active boolean NOT NULL DEFAULT true,
        PRIMARY KEY (siret, code)
      )`);
    await q.query(`
      CREATE TABLE pes_budgets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(50) NOT NULL UNIQUE,
        id_coll varchar(14) NOT NULL,
        cod_col varchar(3) NOT NULL,
        cod_bud varchar(2) NOT NULL,
        label varchar NOT NULL,
        settings jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE pes_bordereaux (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        budget_id uuid NOT NULL REFERENCES pes_budgets(id),
        year int NOT NULL,
        number int NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'GENERE',
        file_name varchar NOT NULL UNIQUE,
        storage_key char(64) NOT NULL,
        sha256 char(64) NOT NULL,
        size bigint NOT NULL,
        titre_count int NOT NULL,
        amount_ht numeric(16,2) NOT NULL,
        amount_tva numeric(16,2) NOT NULL,
        generated_at timestamptz NOT NULL,
        acquit_at timestamptz,
        acquit_code varchar(20),
        acquit_reason text,
        UNIQUE (budget_id, year, number)
      )`);
    await q.query(`
      CREATE TABLE pes_titres (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        budget_id uuid NOT NULL REFERENCES pes_budgets(id),
        year int NOT NULL,
        number int NOT NULL,
        external_ref varchar(100),
        status varchar(20) NOT NULL DEFAULT 'EN_ATTENTE',
        bordereau_id uuid REFERENCES pes_bordereaux(id),
        issue_date date NOT NULL,
        object varchar(160) NOT NULL,
        typ_pce varchar(2) NOT NULL,
        nat_pce varchar(2) NOT NULL,
        edition varchar(2) NOT NULL,
        cod_serv varchar(10),
        debtor jsonb NOT NULL,
        debtor_siret varchar(14),
        debtor_service_code varchar(100),
        debtor_engagement varchar(100),
        amount_ht numeric(16,2) NOT NULL,
        amount_tva numeric(16,2) NOT NULL,
        amount_ttc numeric(16,2) NOT NULL,
        pdf_name varchar,
        pdf_storage_key char(64),
        last_refusal text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (budget_id, year, number)
      )`);
    // An accounting batch re-imported twice must not create its titles twice.
    await q.query(`CREATE UNIQUE INDEX pes_titres_external_ref_uq ON pes_titres (budget_id, external_ref) WHERE external_ref IS NOT NULL`);
    await q.query(`CREATE INDEX pes_titres_pending_idx ON pes_titres (budget_id, status, year, number)`);
    await q.query(`CREATE INDEX pes_titres_bordereau_idx ON pes_titres (bordereau_id)`);
    await q.query(`
      CREATE TABLE pes_titre_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        titre_id uuid NOT NULL REFERENCES pes_titres(id) ON DELETE CASCADE,
        line_no int NOT NULL,
        product_code varchar(4) NOT NULL,
        nature varchar(12) NOT NULL,
        fonction varchar(10),
        operation varchar(10),
        label varchar(160) NOT NULL,
        quantity numeric(12,2) NOT NULL,
        unit_price numeric(16,2) NOT NULL,
        amount_ht numeric(16,2) NOT NULL,
        vat_rate numeric(5,2) NOT NULL,
        amount_tva numeric(16,2) NOT NULL,
        UNIQUE (titre_id, line_no)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['pes_titre_lines', 'pes_titres', 'pes_bordereaux', 'pes_budgets', 'directory_services', 'directory_structures']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
