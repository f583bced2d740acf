import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** pending → sent | failed (needs the staff) | cancelled (e.g. a rejection cancelled before it left). */
export type OutboxState = 'pending' | 'sent' | 'failed' | 'cancelled';

/** A status owed to Chorus Pro, written with the transition that produced it (transactional outbox). */
@Entity('status_outbox')
export class StatusOutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @Column({ name: 'structure_id', type: 'uuid', nullable: true })
  structureId: string | null;

  /** Chorus Pro status: SERVICE_FAIT, MANDATEE, REJETEE, SUSPENDUE, A_RECYCLER, MISE_EN_PAIEMENT. */
  @Column({ name: 'target_status', length: 30 })
  targetStatus: string;

  /** Motif sent with REJETEE / SUSPENDUE (≤ 255 characters). */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** numeroDPMandat sent with MANDATEE. */
  @Column({ name: 'mandate_number', type: 'varchar', nullable: true })
  mandateNumber: string | null;

  @Column({ name: 'history_id', type: 'bigint', nullable: true })
  historyId: number | null;

  @Column({ length: 20, default: 'pending' })
  state: OutboxState;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'sent_via', type: 'varchar', nullable: true })
  sentVia: 'api' | 'file' | null;

  @Column({ name: 'status_flow_id', type: 'uuid', nullable: true })
  statusFlowId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
