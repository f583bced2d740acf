import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TitreEntity } from '@/pes/titre.entity';

/** One imputation of a titre (a LigneDePiece of the PES recette, a LigneFacture of its ASAP). */
@Entity('pes_titre_lines')
export class TitreLineEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'titre_id', type: 'uuid' })
  titreId: string;

  @ManyToOne(() => TitreEntity, (t) => t.lines, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'titre_id' })
  titre: TitreEntity;

  @Column({ name: 'line_no', type: 'int' })
  lineNo: number;

  @Column({ name: 'product_code' })
  productCode: string;

  @Column()
  nature: string;

  @Column({ type: 'varchar', nullable: true })
  fonction: string | null;

  @Column({ type: 'varchar', nullable: true })
  operation: string | null;

  @Column()
  label: string;

  @Column({ type: 'numeric' })
  quantity: string;

  @Column({ name: 'unit_price', type: 'numeric' })
  unitPrice: string;

  @Column({ name: 'amount_ht', type: 'numeric' })
  amountHt: string;

  @Column({ name: 'vat_rate', type: 'numeric' })
  vatRate: string;

  @Column({ name: 'amount_tva', type: 'numeric' })
  amountTva: string;
}
