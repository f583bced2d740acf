import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One step of an invoice's life (« Lecture flux », « Mandatement », …), with actor and time. */
@Entity('invoice_history')
export class InvoiceHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @Column({ length: 50 })
  step: string;

  @Column()
  label: string;

  @Column()
  actor: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ name: 'from_status', type: 'varchar', nullable: true })
  fromStatus: string | null;

  @Column({ name: 'to_status', type: 'varchar', nullable: true })
  toStatus: string | null;

  @Column({ name: 'flow_id', type: 'uuid', nullable: true })
  flowId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;
}
