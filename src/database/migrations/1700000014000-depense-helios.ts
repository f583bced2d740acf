import { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 14 (dépense half): mandats to Hélios (PES_DepenseAller) and payments back (PES_DepenseRetour).
// - structures.helios_comptable: « comptable sous Hélios » (default yes): Hélios itself sets
//   MISE_A_DISPOSITION_COMPTABLE, COMPTABILISEE and MISE_EN_PAIEMENT in Chorus Pro, Passerelle pushes none of them.
// - mandates.released_*: a mandat of the waiting train (« train d'attente », débit d'office) leaves in a bordereau
//   only once released.
// - pes_depense_mandats: each time a mandat travels in a dépense bordereau, with what Hélios said of it (acquit,
//   retour); a snapshot of the invoice facts the bordereau carried, so that the payments' explanation never reads
//   another module's tables.
// - pes_depense_retours / _lines / _payments: every PES_DepenseRetour read (idempotent by sha256), per mandat line its
//   state and CessOpp, and every PaiementEmargement (OrgEma, DtePay, MtPay).
export class DepenseHelios1700000014000 implements MigrationInterface {
  name = 'DepenseHelios1700000014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE structures ADD COLUMN helios_comptable boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE mandates ADD COLUMN released_at timestamptz, ADD COLUMN released_by varchar(254)`);
    await q.query(`
      CREATE TABLE pes_depense_mandats (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bordereau_id uuid NOT NULL REFERENCES pes_bordereaux(id),
        budget_id uuid NOT NULL REFERENCES pes_budgets(id),
        mandate_id uuid NOT NULL REFERENCES mandates(id),
        invoice_id uuid NOT NULL REFERENCES invoices(id),
        structure_id uuid NOT NULL REFERENCES structures(id),
        year int NOT NULL,
        id_pce int NOT NULL,
        mandate_number varchar(20) NOT NULL,
        invoice_number varchar(100) NOT NULL,
        supplier_id varchar(100) NOT NULL,
        supplier_name varchar NOT NULL,
        net_amount numeric(24,2) NOT NULL,
        due_date date,
        state varchar(20) NOT NULL DEFAULT 'ENVOYE'
          CHECK (state IN ('ENVOYE', 'ACCEPTE', 'REJETE', 'PRIS_EN_CHARGE', 'EN_INSTANCE', 'SOLDE')),
        helios_code varchar(20),
        helios_reason text,
        state_at timestamptz,
        UNIQUE (bordereau_id, mandate_id)
      )`);
    await q.query(`CREATE INDEX pes_depense_mandats_mandate_idx ON pes_depense_mandats (mandate_id)`);
    await q.query(`CREATE INDEX pes_depense_mandats_piece_idx ON pes_depense_mandats (budget_id, year, id_pce)`);
    await q.query(`
      CREATE TABLE pes_depense_retours (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sha256 char(64) NOT NULL UNIQUE,
        nom_fic varchar(100),
        budget_id uuid REFERENCES pes_budgets(id),
        received_at timestamptz NOT NULL,
        report jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE pes_depense_retour_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        retour_id uuid NOT NULL REFERENCES pes_depense_retours(id) ON DELETE CASCADE,
        depense_mandat_id uuid NOT NULL REFERENCES pes_depense_mandats(id),
        invoice_id uuid NOT NULL REFERENCES invoices(id),
        id_ligne int NOT NULL,
        etat_pce varchar(2) NOT NULL,
        etat_lig varchar(2),
        nat_pce varchar(2),
        cess_opp varchar(2),
        mt_ht numeric(24,2),
        mt_tva numeric(24,2),
        obs_etat varchar(400)
      )`);
    await q.query(`CREATE INDEX pes_depense_retour_lines_invoice_idx ON pes_depense_retour_lines (invoice_id)`);
    await q.query(`
      CREATE TABLE pes_depense_payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        retour_line_id uuid NOT NULL REFERENCES pes_depense_retour_lines(id) ON DELETE CASCADE,
        invoice_id uuid NOT NULL REFERENCES invoices(id),
        structure_id uuid NOT NULL REFERENCES structures(id),
        supplier_id varchar(100) NOT NULL,
        position int NOT NULL,
        org_ema varchar(2) NOT NULL,
        paid_on date NOT NULL,
        amount numeric(24,2) NOT NULL
      )`);
    await q.query(`CREATE INDEX pes_depense_payments_paid_idx ON pes_depense_payments (structure_id, paid_on)`);
    await q.query(`CREATE INDEX pes_depense_payments_invoice_idx ON pes_depense_payments (invoice_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['pes_depense_payments', 'pes_depense_retour_lines', 'pes_depense_retours', 'pes_depense_mandats']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await q.query(`ALTER TABLE mandates DROP COLUMN IF EXISTS released_at, DROP COLUMN IF EXISTS released_by`);
    await q.query(`ALTER TABLE structures DROP COLUMN IF EXISTS helios_comptable`);
  }
}
