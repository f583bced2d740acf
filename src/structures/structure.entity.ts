import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { StructureServiceEntity } from '@/structures/structure-service.entity';

/** A recipient structure as declared in Chorus Pro: one SIRET per budget. */
@Entity('structures')
export class StructureEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ length: 14, unique: true })
  siret: string;

  @Column()
  name: string;

  /** « Code service obligatoire » in Chorus Pro's structure settings. */
  @Column({ name: 'service_required', default: false })
  serviceRequired: boolean;

  /** « Numéro d'engagement obligatoire ». */
  @Column({ name: 'engagement_required', default: false })
  engagementRequired: boolean;

  /** « Gestion N° EJ ou code service »: the engagement number or the service code, one of the two is required. */
  @Column({ name: 'engagement_or_service_required', default: false })
  engagementOrServiceRequired: boolean;

  /** Délai global de paiement in days (30, 50 for public health establishments): follows `publicHealthBody`. */
  @Column({ name: 'payment_delay_days', type: 'int', default: 30 })
  paymentDelayDays: number;

  /** Établissement public de santé (R2192-10, 2° du code de la commande publique: délai de 50 jours). */
  @Column({ name: 'public_health_body', default: false })
  publicHealthBody: boolean;

  /** Chorus Pro technical account (« compte technique ») used by the API pull: login, password encrypted. */
  @Column({ name: 'cpro_login', type: 'varchar', nullable: true })
  cproLogin: string | null;

  /** AES-256-GCM (technical-account.cipher.ts); never returned nor logged. */
  @Column({ name: 'cpro_password_enc', type: 'text', nullable: true, select: false })
  cproPasswordEnc: string | null;

  @Column({ name: 'cpro_account_updated_at', type: 'timestamptz', nullable: true })
  cproAccountUpdatedAt: Date | null;

  /** How statuses go back to Chorus Pro (issue 5): api | file | off; null = automatic (api with a technical account, else file). */
  @Column({ name: 'return_mode', type: 'varchar', nullable: true })
  returnMode: 'api' | 'file' | 'off' | null;

  /** idStructureCPP (structures/v1/rechercher), kept once found: the sync asks for it once. */
  @Column({ name: 'cpro_structure_id', type: 'bigint', nullable: true })
  cproStructureId: string | null;

  /** Last `parametres` of structures/v1/consulter, as read; and when the last sync succeeded. */
  @Column({ name: 'cpro_settings', type: 'jsonb', nullable: true })
  cproSettings: Record<string, unknown> | null;

  @Column({ name: 'cpro_synced_at', type: 'timestamptz', nullable: true })
  cproSyncedAt: Date | null;
  /**
   * « Comptable sous Hélios » (issue 14, default yes): Hélios sets MISE_A_DISPOSITION_COMPTABLE, COMPTABILISEE and
   * MISE_EN_PAIEMENT in Chorus Pro itself, so Passerelle pushes none of them (invoice-state.machine.ts outboxStatus).
   */
  @Column({ name: 'helios_comptable', default: true })
  heliosComptable: boolean;

  @OneToMany(() => StructureServiceEntity, (s) => s.structure, { cascade: false })
  services: StructureServiceEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
