import { MigrationInterface, QueryRunner } from 'typeorm';

// Works invoices (« factures de travaux », issue 15): what facturesTravaux/v1/rechercher says of an invoice beside
// its pivot (cadre and CycleDeValidation stay in invoices / invoice_validations): the works-side status, the type of
// décompte, the MOE and MOA, and the roles under which our structure sees it.
export class WorksInvoices1700000015500 implements MigrationInterface {
  name = 'WorksInvoices1700000015500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invoice_works (
        invoice_id uuid PRIMARY KEY REFERENCES invoices(id) ON DELETE CASCADE,
        cpro_id varchar(40) NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        works_status varchar(60) NULL,
        works_type varchar(60) NULL,
        cadre varchar(10) NULL,
        moe jsonb NULL,
        moa jsonb NULL,
        status_at timestamptz NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS invoice_works`);
  }
}
