import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('invoice_vats')
export class InvoiceVatEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @Column({ type: 'numeric' })
  rate: string;

  @Column({ name: 'base_ht', type: 'numeric' })
  baseHt: string;

  @Column({ type: 'numeric' })
  amount: string;
}
