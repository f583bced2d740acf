import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * pending → sending (a call to Chorus Pro is in flight, under a lease until next_attempt_at) → sent | pending
 * again (transient failure, backoff) | failed (needs the staff) ; pending → cancelled (a rejection cancelled
 * before it left: only `pending` rows can be cancelled, so a rejection in flight cannot).
 */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';

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

  /** A call may have reached Chorus Pro without an answer: read its history before sending again. */
  @Column({ name: 'outcome_unknown', default: false })
  outcomeUnknown: boolean;

  /** Why the row failed: CPP_20002, CPP_<code>, NOT_REPRESENTABLE … */
  @Column({ name: 'error_code', type: 'varchar', nullable: true })
  errorCode: string | null;

  @Column({ name: 'sent_via', type: 'varchar', nullable: true })
  sentVia: 'api' | 'file' | null;

  @Column({ name: 'status_flow_id', type: 'uuid', nullable: true })
  statusFlowId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
