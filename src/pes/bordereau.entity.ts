import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type BordereauStatus = 'GENERE' | 'ACCEPTE' | 'REJETE';

/** A generated (hence frozen) bordereau de titres and the PES_Aller file that carries it. */
@Entity('pes_bordereaux')
export class BordereauEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'budget_id', type: 'uuid' })
  budgetId: string;

  @Column({ type: 'int' })
  year: number;

  /** IdBord: gapless per budget and year (Hélios rejects a number it already knows). */
  @Column({ type: 'int' })
  number: number;

  @Column({ length: 20 })
  status: BordereauStatus;

  @Column({ name: 'file_name' })
  fileName: string;

  @Column({ name: 'storage_key', length: 64 })
  storageKey: string;

  @Column({ length: 64 })
  sha256: string;

  @Column({ type: 'bigint' })
  size: number;

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

  @Column({ name: 'acquit_code', type: 'varchar', nullable: true })
  acquitCode: string | null;

  @Column({ name: 'acquit_reason', type: 'text', nullable: true })
  acquitReason: string | null;
}
