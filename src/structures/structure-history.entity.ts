import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What changed a structure's settings, when and from where (a Chorus Pro sync): one row per change. */
export type StructureChange =
  | 'SERVICE_ADDED'
  | 'SERVICE_RENAMED'
  | 'SERVICE_DEACTIVATED'
  | 'SERVICE_REACTIVATED'
  | 'SERVICE_REQUIRED_CHANGED'
  | 'ENGAGEMENT_REQUIRED_CHANGED'
  | 'ENGAGEMENT_OR_SERVICE_CHANGED';

@Entity('structure_history')
export class StructureHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'structure_id', type: 'uuid' })
  structureId: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  /** 'chorus-pro' (sync), kept open for other sources. */
  @Column({ length: 30 })
  source: string;

  @Column({ length: 40 })
  change: StructureChange;

  @Column({ name: 'service_code', type: 'varchar', length: 100, nullable: true })
  serviceCode: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  /** French, for the admin page and the CLI. */
  @Column({ type: 'text' })
  message: string;
}
