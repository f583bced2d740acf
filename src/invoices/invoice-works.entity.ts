import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A works party (MOE, MOA) as facturesTravaux/v1/rechercher names it. */
export interface WorksParty {
  id: string | null;
  name: string | null;
}

/** What Chorus Pro's works side (facturesTravaux/v1/rechercher) says of a works invoice; the pivot holds the rest. */
@Entity('invoice_works')
export class InvoiceWorksEntity {
  @PrimaryColumn({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @Column({ name: 'cpro_id', length: 40 })
  cproId: string;

  /** MOE and/or MOA: the roles under which the structure's account sees the invoice. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  roles: string[];

  /** statutFactureTravaux (MISE_A_DISPOSITION_MOE, TRANSMISE_MOA, SUSPENDUE, A_RECYCLER, MISE_A_DISPOSITION…). */
  @Column({ name: 'works_status', type: 'varchar', length: 60, nullable: true })
  worksStatus: string | null;

  /** typeFactureTravaux (PROJET_DECOMPTE_MENSUEL, ETAT_ACOMPTE…). */
  @Column({ name: 'works_type', type: 'varchar', length: 60, nullable: true })
  worksType: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  cadre: string | null;

  @Column({ type: 'jsonb', nullable: true })
  moe: WorksParty | null;

  @Column({ type: 'jsonb', nullable: true })
  moa: WorksParty | null;

  @Column({ name: 'status_at', type: 'timestamptz', nullable: true })
  statusAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
