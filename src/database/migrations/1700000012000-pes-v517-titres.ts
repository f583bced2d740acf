import { MigrationInterface, QueryRunner } from 'typeorm';

// PES V2 v5.17, recette side: the ASAP CPP fields of a titre's BlocPiece (NumeroFacture, NumeroMarche,
// NumeroEngagement, CodeService, NomService), talon optique lines given with a titre, and the budget settings'
// voies de recours renamed (they now travel in ModalitesContestation, no longer in ConditionsGen); the
// PES_AsapRetour news of each ASAP.
export class PesV517Titres1700000012000 implements MigrationInterface {
  name = 'PesV517Titres1700000012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pes_titres
      ADD COLUMN invoice_number varchar(20),
      ADD COLUMN debtor_service_name varchar(100),
      ADD COLUMN market_number varchar(50),
      ADD COLUMN talon_line1 varchar(60),
      ADD COLUMN talon_line2 varchar(60)`);
    // Chorus Pro refuses an invoice number a supplier already used: looked up per collectivité across budgets.
    await q.query(`CREATE INDEX pes_titres_invoice_number_idx ON pes_titres (invoice_number) WHERE invoice_number IS NOT NULL`);
    // PES_AsapRetour: what the DGFiP éditique / mail notification did with each ASAP (IdUniquePJASAP), kept as
    // read; one row per piece of news, the same file read twice adds nothing (source_sha256).
    await q.query(`
      CREATE TABLE pes_asap_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        titre_id uuid NOT NULL REFERENCES pes_titres(id) ON DELETE CASCADE,
        id_unique varchar(50) NOT NULL,
        kind varchar(20) NOT NULL,
        posted_on date,
        notified_on date,
        first_read_on date,
        rejected_on date,
        rejection_code varchar(10),
        rejection_reason text,
        relance boolean NOT NULL DEFAULT false,
        complement_state varchar(2),
        source_sha256 char(64) NOT NULL,
        position int NOT NULL,
        received_at timestamptz NOT NULL,
        UNIQUE (source_sha256, position)
      )`);
    await q.query(`CREATE INDEX pes_asap_events_titre_idx ON pes_asap_events (titre_id, received_at, position)`);
    await q.query(`
      UPDATE pes_budgets
         SET settings = jsonb_set(settings, '{modalites}', (settings->'modalites') - 'contestation' || jsonb_build_object('voiesDeRecours', settings->'modalites'->'contestation'))
       WHERE settings->'modalites' ? 'contestation' AND NOT (settings->'modalites' ? 'voiesDeRecours')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE pes_budgets
         SET settings = jsonb_set(settings, '{modalites}', (settings->'modalites') - 'voiesDeRecours' || jsonb_build_object('contestation', settings->'modalites'->'voiesDeRecours'))
       WHERE settings->'modalites' ? 'voiesDeRecours'`);
    await q.query(`DROP TABLE IF EXISTS pes_asap_events`);
    await q.query(`DROP INDEX IF EXISTS pes_titres_invoice_number_idx`);
    await q.query(`ALTER TABLE pes_titres DROP COLUMN invoice_number, DROP COLUMN debtor_service_name, DROP COLUMN market_number, DROP COLUMN talon_line1, DROP COLUMN talon_line2`);
  }
}
