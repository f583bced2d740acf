import { Column, Entity, OneToMany, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { DirectoryServiceEntity } from '@/directory/directory-service.entity';

/**
 * A public structure of the Chorus Pro directory (« annuaire ») that may receive an ASAP CPP: its settings
 * decide which references a titre de recette must carry (code service, numéro d'engagement).
 */
@Entity('directory_structures')
export class DirectoryStructureEntity {
  @PrimaryColumn({ length: 14 })
  siret: string;

  @Column({ name: 'id_structure_cpp', type: 'bigint', nullable: true })
  idStructureCpp: number | null;

  @Column()
  name: string;

  @Column()
  active: boolean;

  @Column({ name: 'est_moa' })
  estMoa: boolean;

  /** « Code service obligatoire » (API: codeServiceDoitEtreRenseigne). */
  @Column({ name: 'service_required' })
  serviceRequired: boolean;

  /** « Numéro d'engagement obligatoire » (API: numeroEngagementDoitEtreRenseigne). */
  @Column({ name: 'engagement_required' })
  engagementRequired: boolean;

  /** « N° d'engagement ou code service » (API: gestionNumeroEJOuCodeService): one of the two. */
  @Column({ name: 'engagement_or_service_required', default: false })
  engagementOrServiceRequired: boolean;

  /** 'api' (structures/v1/rechercher) or 'csv' (passerelle annuaire import). */
  @Column({ length: 10 })
  source: string;

  @OneToMany(() => DirectoryServiceEntity, (s) => s.structure)
  services: DirectoryServiceEntity[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
