import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type FlowSource = 'inbox' | 'cli' | 'api' | 'upload';
/** processing → integrated | partial (an invoice unreadable) | rejected (not a readable pivot). */
export type FlowStatus = 'processing' | 'integrated' | 'partial' | 'rejected';

/** One received CPPFacturePivot file, kept raw (gzip, addressed by SHA-256) whatever became of it. */
@Entity('flows')
export class FlowEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ length: 64, unique: true })
  sha256: string;

  @Column({ name: 'file_name' })
  fileName: string;

  @Column({ length: 20 })
  source: FlowSource;

  @Column({ type: 'bigint' })
  size: number;

  /** SHA-256 of a loose raw copy, or a pack member (`pack:…:gz`, a small raw flow): see packKey. */
  @Column({ name: 'storage_key', length: 100 })
  storageKey: string;

  @Column({ length: 20 })
  status: FlowStatus;

  @Column({ type: 'varchar', nullable: true })
  version: string | null;

  @Column({ name: 'id_flx', type: 'varchar', nullable: true })
  idFlx: string | null;

  @Column({ name: 'dt_prd', type: 'varchar', nullable: true })
  dtPrd: string | null;

  @Column({ name: 'sender_id', type: 'varchar', nullable: true })
  senderId: string | null;

  @Column({ name: 'sender_label', type: 'varchar', nullable: true })
  senderLabel: string | null;

  @Column({ name: 'receiver_id', type: 'varchar', nullable: true })
  receiverId: string | null;

  @Column({ name: 'receiver_label', type: 'varchar', nullable: true })
  receiverLabel: string | null;

  @Column({ type: 'jsonb', nullable: true })
  envelope: Record<string, unknown> | null;

  @Column({ name: 'invoice_count', type: 'int', default: 0 })
  invoiceCount: number;

  @Column({ name: 'error_code', type: 'varchar', nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
