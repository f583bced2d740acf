import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An invoice of a flow that could not be read at all (the flow is then "partial"). */
@Entity('flow_errors')
export class FlowErrorEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'flow_id', type: 'uuid' })
  flowId: string;

  @Column({ name: 'num_ordre', type: 'int', nullable: true })
  numOrdre: number | null;

  @Column({ name: 'invoice_number', type: 'varchar', nullable: true })
  invoiceNumber: string | null;

  @Column({ name: 'recipient_siret', type: 'varchar', nullable: true })
  recipientSiret: string | null;

  @Column({ length: 50 })
  code: string;

  @Column({ type: 'text' })
  message: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
