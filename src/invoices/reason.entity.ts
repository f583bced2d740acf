import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A motif of rejection or suspension, from the list the administrator maintains (seeded from config/reasons.json). */
@Entity('reasons')
export class ReasonEntity {
  @PrimaryColumn({ length: 50 })
  code: string;

  @Column({ length: 200 })
  label: string;

  /** 'reject' and/or 'suspend'. */
  @Column({ type: 'text', array: true })
  actions: string[];

  @Column({ default: true })
  active: boolean;

  @Column({ type: 'int', default: 0 })
  position: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
