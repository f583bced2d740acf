import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { compare } from 'bcryptjs';
import { Clock } from '@/clock/clock.port';
import { UnauthenticatedError } from '@/common/errors/domain.error';
import { UnitOfWork } from '@/database/unit-of-work';
import { LoginThrottle } from '@/users/login.throttle';
import { Principal } from '@/users/principal';
import { PrincipalCache } from '@/users/principal.cache';
import { UsersRepository } from '@/users/users.repository';
import { normaliseEmail, sha256 } from '@/users/users.service';

export const SESSION_COOKIE = 'passerelle_session';
export const SESSION_HOURS = 12;
// Compared against when the e-mail is unknown, so that both failures take the same time.
const DUMMY_HASH = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8Q4sZ3r7Gg2wA3f0C8m3bq6o4g6Y2e';

/** Token and session authentication. Failures never say which part was wrong. */
@Injectable()
export class AuthService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle,
    private readonly recent: PrincipalCache,
  ) {}

  async byApiToken(token: string): Promise<Principal | null> {
    const hash = sha256(token);
    const cached = this.recent.get(`t:${hash}`);
    if (cached) return copyOf(cached);
    const user = await this.repository.findUserByTokenHash(hash);
    return user ? this.remember(`t:${hash}`, await this.repository.principalOf(user)) : null;
  }

  async bySession(secret: string): Promise<Principal | null> {
    const hash = sha256(secret);
    const cached = this.recent.get(`s:${hash}`);
    if (cached) return copyOf(cached);
    const user = await this.repository.findUserBySessionHash(hash, this.clock.now());
    return user ? this.remember(`s:${hash}`, await this.repository.principalOf(user)) : null;
  }

  private remember(key: string, principal: Principal): Principal {
    this.recent.set(key, copyOf(principal));
    return principal;
  }

  async login(email: string, password: string): Promise<{ secret: string; expiresAt: Date; principal: Principal }> {
    const account = normaliseEmail(email ?? '');
    this.throttle.check(account, this.clock.now());
    const user = await this.repository.findByEmail(account);
    const ok = await compare(password ?? '', user?.passwordHash ?? DUMMY_HASH);
    if (!user || !user.passwordHash || !ok || !user.active) {
      this.throttle.failed(account, this.clock.now());
      throw new UnauthenticatedError('INVALID_CREDENTIALS', 'Identifiants incorrects');
    }
    this.throttle.succeeded(account);
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + SESSION_HOURS * 3_600_000);
    await this.uow.run((em) => this.repository.insertSession(em, user.id, sha256(secret), expiresAt));
    return { secret, expiresAt, principal: await this.repository.principalOf(user) };
  }

  async logout(secret: string | undefined): Promise<void> {
    if (!secret) return;
    this.recent.delete(`s:${sha256(secret)}`);
    await this.uow.run((em) => this.repository.deleteSession(em, sha256(secret)));
  }
}

/** Each request gets its own principal: nothing one request does to it reaches the cache or another request. */
function copyOf(p: Principal): Principal {
  return { ...p, structureIds: [...p.structureIds] };
}
