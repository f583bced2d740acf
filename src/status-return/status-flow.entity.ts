import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A CPPStatut file Passerelle generated (`out`, the outbox rows it carried) or imported (`in`, its report). */
@Entity('status_flows')
export class StatusFlowEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ length: 3 })
  direction: 'out' | 'in';

  @Column({ name: 'file_name' })
  fileName: string;

  /** IdFlx of the envelope (unique among generated files). */
  @Column({ name: 'id_flx', type: 'varchar', nullable: true })
  idFlx: string | null;

  @Column({ name: 'dt_prd', type: 'varchar', nullable: true })
  dtPrd: string | null;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  /** Key of the copy kept in the FileStore (download). */
  @Column({ name: 'storage_key', type: 'char', length: 64, nullable: true })
  storageKey: string | null;

  @Column({ type: 'bigint' })
  size: number;

  @Column({ name: 'structure_id', type: 'uuid', nullable: true })
  structureId: string | null;

  @Column({ name: 'status_count', type: 'int', default: 0 })
  statusCount: number;

  @Column({ name: 'outbox_ids', type: 'bigint', array: true, default: () => "'{}'" })
  outboxIds: number[];

  @Column({ type: 'jsonb', nullable: true })
  filters: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  report: Record<string, unknown> | null;

  @Column({ name: 'created_by' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
