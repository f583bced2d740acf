import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A personal API token (API, CLI scripts): only its SHA-256 is stored, the prefix is for display. */
@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'token_hash', length: 64 })
  tokenHash: string;

  @Column({ length: 16 })
  prefix: string;

  @Column({ type: 'varchar', nullable: true })
  label: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** Who issued it: the user, an administrator of all their structures; null: the operator (CLI on the server). */
  @Column({ name: 'issued_by', type: 'uuid', nullable: true })
  issuedBy: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
