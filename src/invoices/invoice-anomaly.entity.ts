import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('invoice_anomalies')
export class InvoiceAnomalyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @Column({ length: 50 })
  code: string;

  @Column({ type: 'text' })
  message: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
