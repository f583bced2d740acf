import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { UserRole } from '@/invoices/invoice-state.machine';

/** A person using Passerelle: agent (finance staff), tresorier, admin (gestionnaire principal). */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ unique: true })
  email: string;

  @Column({ type: 'varchar', length: 20 })
  role: UserRole;

  /** bcrypt hash, null for API/CLI-only users. Never returned by the API. */
  @Column({ name: 'password_hash', type: 'varchar', nullable: true, select: false })
  passwordHash: string | null;

  @Column({ default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
