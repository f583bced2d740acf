import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { hash } from 'bcryptjs';
import { EntityManager } from 'typeorm';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '@/common/errors/domain.error';
import { Clock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { UserRole } from '@/invoices/invoice-state.machine';
import { StructuresService } from '@/structures/structures.service';
import { Principal } from '@/users/principal';
import { PrincipalCache } from '@/users/principal.cache';
import { UserRow, UsersRepository, UserView } from '@/users/users.repository';

export const USER_ROLES: readonly UserRole[] = ['agent', 'tresorier', 'admin'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 12;

export interface NewUser {
  email: string;
  role: string;
  structureSirets: string[];
  password?: string;
}

/** SHA-256 hex: what is stored for tokens and session secrets. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Users and their structures. `actor` null = the local operator (CLI on the server: first admin of a fresh
 * install); otherwise an administrator acting through the API, limited to the structures they belong to.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly structures: StructuresService,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly recent: PrincipalCache,
  ) {}

  /** Every change to users goes through here: the principals checked recently are forgotten (PrincipalCache). */
  private change<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.uow.run(work).finally(() => this.recent.clear());
  }

  async add(input: NewUser, actor: Principal | null): Promise<UserView> {
    const email = normaliseEmail(input.email);
    if (!EMAIL.test(email)) throw new DomainError('INVALID_EMAIL', `Adresse électronique invalide : « ${input.email} »`);
    const role = parseRole(input.role);
    if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
      throw new DomainError('PASSWORD_TOO_SHORT', `Le mot de passe doit compter au moins ${MIN_PASSWORD_LENGTH} caractères`);
    }
    if (!input.structureSirets.length) throw new DomainError('STRUCTURE_REQUIRED', 'Un utilisateur est rattaché à au moins une structure');
    const structureIds = await this.resolveStructures(input.structureSirets, actor);
    const passwordHash = input.password ? await hash(input.password, 10) : null;
    await this.change(async (em) => {
      if (await this.repository.findByEmail(email, em)) throw new ConflictError('USER_EXISTS', `L'utilisateur ${email} existe déjà`);
      const userId = await this.repository.insertUser(em, { email, role, passwordHash });
      for (const structureId of structureIds) {
        await this.repository.attach(em, userId, structureId);
        if (role !== 'admin') continue;
        // Exactly one gestionnaire principal per structure: a second one comes by transfer only.
        const current = await this.repository.mainAdminOf(em, structureId);
        if (current) {
          throw new ConflictError(
            'MAIN_ADMIN_EXISTS',
            `La structure a déjà un gestionnaire principal (${current.email}) : utilisez le transfert`,
          );
        }
        await this.repository.setMainAdmin(em, structureId, userId);
      }
    });
    return this.view(email);
  }

  /**
   * Hands the gestionnaire principal role of a structure to another user attached to it. The former admin
   * becomes an agent once they are main admin of no structure at all.
   */
  async transferMainAdmin(siret: string, toEmail: string, actor: Principal | null): Promise<UserView> {
    const [structureId] = await this.resolveStructures([siret], actor);
    const target = await this.requireUser(normaliseEmail(toEmail));
    await this.change(async (em) => {
      const current = await this.repository.mainAdminOf(em, structureId);
      if (actor && current?.userId !== actor.userId) {
        throw new ForbiddenError('NOT_MAIN_ADMIN', "Seul le gestionnaire principal de la structure peut transférer ce rôle");
      }
      if (!(await this.repository.structureIdsOf(target.id, em)).includes(structureId)) {
        throw new DomainError('USER_NOT_IN_STRUCTURE', `${target.email} n'est pas rattaché à cette structure`);
      }
      // The admin role is the user's in all their structures: given only by someone who administers them all.
      await this.assertAdministers(target, actor);
      await this.repository.setMainAdmin(em, structureId, target.id);
      await this.repository.setRole(em, target.id, 'admin');
      if (current && current.userId !== target.id && (await this.repository.countMainAdminships(em, current.userId)) === 0) {
        await this.repository.setRole(em, current.userId, 'agent');
      }
    });
    return this.view(target.email);
  }

  /**
   * A new personal API token; the clear value is returned once and never stored. Issued by its user, or by an
   * administrator of all of that user's structures (a token acts everywhere its user may), and it records who issued it.
   */
  async issueToken(email: string, label: string | null, actor: Principal | null): Promise<{ token: string; prefix: string }> {
    const user = await this.requireUser(normaliseEmail(email));
    if (actor?.userId !== user.id) await this.assertAdministers(user, actor);
    const token = `psr_${randomBytes(32).toString('base64url')}`;
    const prefix = token.slice(0, 12);
    await this.change((em) => this.repository.insertToken(em, { userId: user.id, tokenHash: sha256(token), prefix, label, issuedBy: actor?.userId ?? null }));
    return { token, prefix };
  }

  /**
   * Someone leaves (or must be locked out at once): the account is deactivated, its sessions end and its API tokens are
   * revoked, in one transaction. A gestionnaire principal hands the role over first (one per structure, always), and
   * nobody deactivates themselves (an administrator could lock every structure out).
   */
  async deactivate(email: string, actor: Principal | null): Promise<UserView> {
    const user = await this.requireUser(normaliseEmail(email));
    await this.assertAdministers(user, actor);
    if (actor?.userId === user.id) throw new ConflictError('CANNOT_DEACTIVATE_SELF', 'Vous ne pouvez pas désactiver votre propre compte');
    await this.change(async (em) => {
      if ((await this.repository.countMainAdminships(em, user.id)) > 0) {
        throw new ConflictError(
          'MAIN_ADMIN_CANNOT_BE_DEACTIVATED',
          `${user.email} est gestionnaire principal : transférez d'abord ce rôle (passerelle users transfer-admin)`,
        );
      }
      await this.repository.setActive(em, user.id, false);
      await this.repository.deleteSessionsOf(em, user.id);
      await this.repository.revokeTokensOf(em, user.id, this.clock.now());
    });
    return this.view(user.email);
  }

  /** Gives a deactivated account back its access to the pages; its former API tokens stay revoked. */
  async reactivate(email: string, actor: Principal | null): Promise<UserView> {
    const user = await this.requireUser(normaliseEmail(email));
    await this.assertAdministers(user, actor);
    await this.change((em) => this.repository.setActive(em, user.id, true));
    return this.view(user.email);
  }

  /** Revokes every API token of a user (a token leaked, a script retired): yourself, or a user you administer. */
  async revokeTokens(email: string, actor: Principal | null): Promise<{ revoked: number }> {
    const user = await this.requireUser(normaliseEmail(email));
    if (actor?.userId !== user.id) await this.assertAdministers(user, actor);
    const revoked = await this.change((em) => this.repository.revokeTokensOf(em, user.id, this.clock.now()));
    return { revoked };
  }

  /** The users of the actor's structures, each with only those of its structures the actor administers. */
  async list(actor: Principal | null): Promise<UserView[]> {
    const users = await this.repository.list(actor ? actor.structureIds : 'all');
    if (!actor) return users;
    return users.map((u) => {
      const mine = u.structures.filter((s) => actor.structureIds.includes(s.id));
      return { ...u, structures: mine, otherStructures: u.structures.length - mine.length };
    });
  }

  /** The principal of an active user (CLI `--as EMAIL`). */
  async principalByEmail(email: string): Promise<Principal> {
    const user = await this.requireUser(normaliseEmail(email));
    if (!user.active) throw new ForbiddenError('USER_INACTIVE', `L'utilisateur ${user.email} est désactivé`);
    return this.repository.principalOf(user);
  }

  private async view(email: string): Promise<UserView> {
    const user = await this.requireUser(email);
    return (await this.repository.list('all')).find((u) => u.id === user.id)!;
  }

  private async requireUser(email: string): Promise<UserRow> {
    const user = await this.repository.findByEmail(email);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', `Utilisateur inconnu : ${email}`);
    return user;
  }

  /**
   * An administrator acts on a user (token, deactivation, admin role) only when they administer every structure of that
   * user: a user shared with another structure acts there too, and that structure's administrators decide for it. The
   * local operator (null) acts on anyone.
   */
  private async assertAdministers(user: Pick<UserRow, 'id' | 'email'>, actor: Principal | null): Promise<void> {
    if (!actor) return;
    const theirs = await this.repository.structureIdsOf(user.id);
    if (actor.role !== 'admin' || !theirs.some((id) => actor.structureIds.includes(id))) {
      throw new ForbiddenError('USER_FORBIDDEN', `Vous n'administrez pas l'utilisateur ${user.email}`);
    }
    if (!theirs.every((id) => actor.structureIds.includes(id))) {
      throw new ForbiddenError(
        'USER_SHARED_WITH_OTHER_STRUCTURES',
        `${user.email} est aussi rattaché à des structures que vous n'administrez pas : un administrateur de toutes ses structures doit le faire`,
      );
    }
  }

  private async resolveStructures(sirets: string[], actor: Principal | null): Promise<string[]> {
    const ids: string[] = [];
    for (const siret of sirets) {
      const s = await this.structures.findEntityBySiret(siret.replace(/\s/g, ''));
      if (!s) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${siret}`);
      if (actor && !actor.structureIds.includes(s.id)) {
        throw new ForbiddenError('STRUCTURE_FORBIDDEN', `Vous n'administrez pas la structure ${s.siret}`);
      }
      ids.push(s.id);
    }
    return [...new Set(ids)];
  }
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function parseRole(role: string): UserRole {
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    throw new DomainError('INVALID_ROLE', `Rôle inconnu : « ${role} » (agent, tresorier ou admin)`);
  }
  return role as UserRole;
}
