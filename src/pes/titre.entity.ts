import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Debtor } from '@/pes/pes.types';
import { TitreLineEntity } from '@/pes/titre-line.entity';

/** EN_ATTENTE: may still change; EMIS: in a generated bordereau, frozen. */
export type TitreStatus = 'EN_ATTENTE' | 'EMIS';

/** A titre de recette and its ASAP choice (`Edition`: 01 à éditer, 02 CPP, 04 sans traitement DGFiP). */
@Entity('pes_titres')
export class TitreEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'budget_id', type: 'uuid' })
  budgetId: string;

  @Column({ type: 'int' })
  year: number;

  /** IdPce: gapless per budget and year. */
  @Column({ type: 'int' })
  number: number;

  @Column({ name: 'external_ref', type: 'varchar', nullable: true })
  externalRef: string | null;

  @Column({ length: 20 })
  status: TitreStatus;

  @Column({ name: 'bordereau_id', type: 'uuid', nullable: true })
  bordereauId: string | null;

  @Column({ name: 'issue_date', type: 'date' })
  issueDate: string;

  @Column()
  object: string;

  @Column({ name: 'typ_pce', length: 2 })
  typPce: string;

  @Column({ name: 'nat_pce', length: 2 })
  natPce: string;

  @Column({ length: 2 })
  edition: string;

  @Column({ name: 'cod_serv', type: 'varchar', nullable: true })
  codServ: string | null;

  @Column({ type: 'jsonb' })
  debtor: Debtor;

  @Column({ name: 'debtor_siret', type: 'varchar', nullable: true })
  debtorSiret: string | null;

  @Column({ name: 'debtor_service_code', type: 'varchar', nullable: true })
  debtorServiceCode: string | null;

  /** ASAP CPP: NomService (BlocPiece), filled from the directory's label when only the code is given. */
  @Column({ name: 'debtor_service_name', type: 'varchar', nullable: true })
  debtorServiceName: string | null;

  @Column({ name: 'debtor_engagement', type: 'varchar', nullable: true })
  debtorEngagement: string | null;

  /** ASAP CPP: NumeroFacture (BlocPiece), the invoice number the debtor sees in Chorus Pro. */
  @Column({ name: 'invoice_number', type: 'varchar', nullable: true })
  invoiceNumber: string | null;

  /** ASAP CPP: NumeroMarche (BlocPiece). */
  @Column({ name: 'market_number', type: 'varchar', nullable: true })
  marketNumber: string | null;

  /** Talon optique lines given with the titre by the accounting software (kept as given). */
  @Column({ name: 'talon_line1', type: 'varchar', nullable: true })
  talonLine1: string | null;

  @Column({ name: 'talon_line2', type: 'varchar', nullable: true })
  talonLine2: string | null;

  @Column({ name: 'amount_ht', type: 'numeric' })
  amountHt: string;

  @Column({ name: 'amount_tva', type: 'numeric' })
  amountTva: string;

  @Column({ name: 'amount_ttc', type: 'numeric' })
  amountTtc: string;

  @Column({ name: 'pdf_name', type: 'varchar', nullable: true })
  pdfName: string | null;

  @Column({ name: 'pdf_storage_key', type: 'varchar', nullable: true })
  pdfStorageKey: string | null;

  @Column({ name: 'last_refusal', type: 'text', nullable: true })
  lastRefusal: string | null;

  @OneToMany(() => TitreLineEntity, (l) => l.titre)
  lines: TitreLineEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
