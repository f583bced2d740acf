import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { PesDomain } from '@/pes/pes-envelope.writer';

export type BordereauStatus = 'GENERE' | 'ACCEPTE' | 'REJETE';

/**
 * A generated (hence frozen) bordereau — de titres (domain recette) or de mandats (domain depense) — and the
 * PES_Aller file that carries it (one bordereau per file). Hélios' acquits find it by NomFic + EnTetePES, then
 * domain and IdBord (PesAcquitService).
 */
@Entity('pes_bordereaux')
export class BordereauEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'budget_id', type: 'uuid' })
  budgetId: string;

  @Column({ type: 'varchar', length: 10 })
  domain: PesDomain;

  @Column({ type: 'int' })
  year: number;

  /** IdBord: gapless per budget, domain and year (Hélios rejects a number it already knows). */
  @Column({ type: 'int' })
  number: number;

  @Column({ length: 20 })
  status: BordereauStatus;

  /** Enveloppe/Parametres/NomFic (PESALR2_<SIRET>_<aammjj>_<n>): what acquits refer to. */
  @Column({ name: 'nom_fic', length: 100 })
  nomFic: string;

  @Column({ name: 'file_name' })
  fileName: string;

  @Column({ name: 'storage_key', length: 64 })
  storageKey: string;

  @Column({ length: 64 })
  sha256: string;

  @Column({ type: 'bigint' })
  size: number;

  /** Pieces of the bordereau (titres, or mandats for a dépense bordereau). */
  @Column({ name: 'titre_count', type: 'int' })
  titreCount: number;

  @Column({ name: 'amount_ht', type: 'numeric' })
  amountHt: string;

  @Column({ name: 'amount_tva', type: 'numeric' })
  amountTva: string;

  @Column({ name: 'generated_at', type: 'timestamptz' })
  generatedAt: Date;

  @Column({ name: 'acquit_at', type: 'timestamptz', nullable: true })
  acquitAt: Date | null;

  /** First Hélios error number of the latest rejection (1963, 2559 …), else its NumAnoAck. */
  @Column({ name: 'acquit_code', type: 'varchar', nullable: true })
  acquitCode: string | null;

  @Column({ name: 'acquit_reason', type: 'text', nullable: true })
  acquitReason: string | null;
}

/** One Hélios error kept for a bordereau (pes_bordereau_errors): several per acquit, never overwritten. */
export interface BordereauError {
  /** DomaineAck (0 technique … 6 recette … 99) and its label (DosTech v5.19 TDomaineAck). */
  domaine: string;
  domaineLabel: string;
  /** The PJ concerned (domain 4). */
  idUnique: string | null;
  /** NumPiece / NumLigne of DetailPiece / DetailLigne. */
  piece: string | null;
  line: string | null;
  /** NumAnoAck as written (ERREUR_PJ …). */
  anoCode: string | null;
  /** The Hélios error number leading LibelleAnoAck (« 2559 – code service … »). */
  heliosCode: string | null;
  message: string;
  acquitNomFic: string | null;
  receivedAt: Date;
}
