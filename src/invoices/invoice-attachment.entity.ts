import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A PJ of the pivot, stored unzipped in the file store (type 01 invoice, 02 supplementary). */
@Entity('invoice_attachments')
export class InvoiceAttachmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @Column({ name: 'flow_id', type: 'uuid' })
  flowId: string;

  @Column({ name: 'num_ordre', type: 'int' })
  numOrdre: number;

  @Column({ name: 'id_unique', type: 'varchar', nullable: true })
  idUnique: string | null;

  @Column({ name: 'id_original', type: 'varchar', nullable: true })
  idOriginal: string | null;

  @Column()
  name: string;

  @Column({ name: 'original_name', type: 'varchar', nullable: true })
  originalName: string | null;

  @Column({ type: 'varchar', nullable: true })
  category: string | null;

  @Column({ length: 2 })
  type: string;

  @Column({ name: 'mime_type' })
  mimeType: string;

  @Column({ name: 'entry_name', type: 'varchar', nullable: true })
  entryName: string | null;

  @Column({ type: 'bigint', nullable: true })
  size: number | null;

  @Column({ type: 'varchar', nullable: true })
  sha256: string | null;

  @Column({ name: 'storage_key', type: 'varchar', nullable: true })
  storageKey: string | null;

  /** Why the content could not be read (ATTACHMENT_UNREADABLE); null when stored. */
  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
