import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One ValidationUnitaire of the pivot's CycleDeValidation. */
@Entity('invoice_validations')
export class InvoiceValidationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @Column({ name: 'flow_id', type: 'uuid' })
  flowId: string;

  @Column({ name: 'status_date', type: 'date' })
  statusDate: string;

  @Column({ name: 'status_code' })
  statusCode: string;

  @Column({ type: 'varchar', nullable: true })
  complement: string | null;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ type: 'jsonb', nullable: true })
  producer: Record<string, unknown> | null;
}
