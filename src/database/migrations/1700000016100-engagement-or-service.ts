import { MigrationInterface, QueryRunner } from 'typeorm';

// Chorus Pro's « gestion N° EJ ou code service » (structures/v1/consulter `parametres.gestionNumeroEJOuCodeService`):
// an invoice must carry the engagement number or the service code, one of the two. Read by the structure sync like the
// two other requirements, and checked at import (MISSING_ENGAGEMENT_OR_SERVICE); in the Chorus Pro directory too, for
// the ASAP CPP debtors (CPP_ENGAGEMENT_OR_SERVICE_REQUIRED).
export class EngagementOrService1700000016100 implements MigrationInterface {
  name = 'EngagementOrService1700000016100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE structures ADD COLUMN engagement_or_service_required boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE directory_structures ADD COLUMN engagement_or_service_required boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE directory_structures DROP COLUMN IF EXISTS engagement_or_service_required`);
    await q.query(`ALTER TABLE structures DROP COLUMN IF EXISTS engagement_or_service_required`);
  }
}
