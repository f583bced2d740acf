import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { BudgetSettings } from '@/pes/pes.types';

/** One budget of a collectivité and its « PES Facture ASAP (paramétrage global) » settings. */
@Entity('pes_budgets')
export class PesBudgetEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The key used by `pes generate --budget CODE`. */
  @Column({ length: 50, unique: true })
  code: string;

  /** IdColl: SIRET of the collectivité (also links the budget to a structure for access rights). */
  @Column({ name: 'id_coll', length: 14 })
  idColl: string;

  @Column({ name: 'cod_col', length: 3 })
  codCol: string;

  @Column({ name: 'cod_bud', length: 2 })
  codBud: string;

  @Column()
  label: string;

  @Column({ type: 'jsonb' })
  settings: BudgetSettings;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
