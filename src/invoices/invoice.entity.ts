import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';

/** A received invoice, with every field of its CPPFacturePivotUnitaire. Amounts are decimal strings. */
@Entity('invoices')
export class InvoiceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'flow_id', type: 'uuid' })
  flowId: string;

  @Column({ name: 'num_ordre', type: 'int' })
  numOrdre: number;

  @Column({ name: 'structure_id', type: 'uuid', nullable: true })
  structureId: string | null;

  @Column({ name: 'supplier_id_type' })
  supplierIdType: string;

  @Column({ name: 'supplier_id' })
  supplierId: string;

  @Column({ name: 'supplier_name' })
  supplierName: string;

  @Column({ name: 'supplier_country', type: 'varchar', nullable: true })
  supplierCountry: string | null;

  @Column({ name: 'supplier_emission_mode', type: 'varchar', nullable: true })
  supplierEmissionMode: string | null;

  @Column({ name: 'bank_type', type: 'varchar', nullable: true })
  bankType: string | null;

  @Column({ name: 'bank_account', type: 'varchar', nullable: true })
  bankAccount: string | null;

  @Column({ name: 'bank_establishment', type: 'varchar', nullable: true })
  bankEstablishment: string | null;

  @Column({ name: 'bank_holder', type: 'varchar', nullable: true })
  bankHolder: string | null;

  @Column({ name: 'debtor_id_type' })
  debtorIdType: string;

  @Column({ name: 'debtor_id' })
  debtorId: string;

  @Column({ name: 'debtor_name', type: 'varchar', nullable: true })
  debtorName: string | null;

  @Column({ name: 'service_code', type: 'varchar', nullable: true })
  serviceCode: string | null;

  @Column({ name: 'service_name', type: 'varchar', nullable: true })
  serviceName: string | null;

  @Column()
  number: string;

  @Column({ name: 'invoice_year', type: 'int' })
  invoiceYear: number;

  @Column({ name: 'cpro_id', type: 'varchar', nullable: true })
  cproId: string | null;

  @Column({ type: 'varchar', nullable: true })
  renvoi: string | null;

  @Column({ name: 'origin_number', type: 'varchar', nullable: true })
  originNumber: string | null;

  @Column({ name: 'origin_invoice_id', type: 'uuid', nullable: true })
  originInvoiceId: string | null;

  @Column({ length: 3 })
  type: string;

  @Column()
  cadre: string;

  @Column({ name: 'issue_date', type: 'date' })
  issueDate: string;

  @Column({ name: 'delivery_date', type: 'date', nullable: true })
  deliveryDate: string | null;

  @Column({ name: 'reception_date', type: 'date' })
  receptionDate: string;

  @Column({ name: 'moe_date', type: 'date', nullable: true })
  moeDate: string | null;

  @Column({ type: 'varchar', nullable: true })
  currency: string | null;

  @Column({ name: 'payment_mode_code', type: 'varchar', nullable: true })
  paymentModeCode: string | null;

  @Column({ name: 'payment_mode_label', type: 'varchar', nullable: true })
  paymentModeLabel: string | null;

  @Column({ name: 'amount_ht', type: 'numeric' })
  amountHt: string;

  @Column({ name: 'amount_ttc', type: 'numeric' })
  amountTtc: string;

  @Column({ name: 'net_amount', type: 'numeric' })
  netAmount: string;

  @Column({ name: 'market_number', type: 'varchar', nullable: true })
  marketNumber: string | null;

  @Column({ name: 'engagement_number', type: 'varchar', nullable: true })
  engagementNumber: string | null;

  /** Internal workflow state (see invoices state machine). */
  @Column({ length: 30, default: 'A_TRAITER' })
  status: string;

  /** Last status read from Chorus Pro, kept beside the internal state. */
  @Column({ name: 'cpp_status', type: 'varchar', nullable: true })
  cppStatus: string | null;

  @Column({ name: 'anomaly_codes', type: 'text', array: true, default: () => `'{}'` })
  anomalyCodes: string[];

  /** Délai global de paiement: reception + structure's delay, pushed back by the days spent suspended. */
  @Column({ name: 'due_date', type: 'date', nullable: true })
  dueDate: string | null;

  @Column({ name: 'suspended_since', type: 'timestamptz', nullable: true })
  suspendedSince: Date | null;

  @Column({ name: 'attachment_count', type: 'int', default: 0 })
  attachmentCount: number;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  /** Optimistic lock: two people acting on one invoice at once, one wins. */
  @VersionColumn({ name: 'row_version' })
  rowVersion: number;
}
