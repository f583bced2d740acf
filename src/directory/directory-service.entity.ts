import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DirectoryStructureEntity } from '@/directory/directory-structure.entity';

@Entity('directory_services')
export class DirectoryServiceEntity {
  @PrimaryColumn({ length: 14 })
  siret: string;

  @PrimaryColumn({ length: 100 })
  code: string;

  @ManyToOne(() => DirectoryStructureEntity, (s) => s.services, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'siret' })
  structure: DirectoryStructureEntity;

  @Column()
  label: string;

  @Column()
  active: boolean;
}
