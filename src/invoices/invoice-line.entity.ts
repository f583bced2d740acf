import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('invoice_lines')
export class InvoiceLineEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @Column({ name: 'num_ordre', type: 'int' })
  numOrdre: number;

  @Column({ name: 'product_ref', type: 'varchar', nullable: true })
  productRef: string | null;

  @Column({ name: 'unit_price', type: 'numeric' })
  unitPrice: string;

  @Column({ type: 'numeric' })
  quantity: string;

  @Column({ name: 'amount_ht', type: 'numeric' })
  amountHt: string;

  @Column({ name: 'vat_rate', type: 'numeric', nullable: true })
  vatRate: string | null;
}
