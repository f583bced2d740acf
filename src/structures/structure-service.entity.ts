import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { StructureEntity } from '@/structures/structure.entity';

@Entity('structure_services')
export class StructureServiceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'structure_id', type: 'uuid' })
  structureId: string;

  @ManyToOne(() => StructureEntity, (s) => s.services, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'structure_id' })
  structure: StructureEntity;

  @Column({ length: 100 })
  code: string;

  @Column()
  label: string;

  @Column({ default: true })
  active: boolean;
}
