import { FixedClock } from '@/clock/clock.port';
import { UnitOfWork } from '@/database/unit-of-work';
import { AuthService } from '@/users/auth.service';
import { LoginThrottle } from '@/users/login.throttle';
import { PRINCIPAL_CACHE_MS, PrincipalCache } from '@/users/principal.cache';
import { UserRow, UsersRepository } from '@/users/users.repository';
import { sha256 } from '@/users/users.service';

/** A repository holding one session and one token, counting the look-ups that reach it. */
function fakeRepository() {
  const user: UserRow = { id: 'u1', email: 'agent@ville.fr', role: 'agent', passwordHash: null, active: true, structureIds: ['s1'] };
  const sessions = new Set([sha256('secret')]);
  const tokens = new Set([sha256('token')]);
  const calls = { session: 0, token: 0 };
  const repository = {
    findUserBySessionHash: async (hash: string) => (calls.session++, sessions.has(hash) ? user : null),
    findUserByTokenHash: async (hash: string) => (calls.token++, tokens.has(hash) ? user : null),
    principalOf: async (u: UserRow) => ({ userId: u.id, email: u.email, role: u.role, structureIds: [...u.structureIds!] }),
    deleteSession: async (_em: unknown, hash: string) => void sessions.delete(hash),
  } as unknown as UsersRepository;
  return { repository, calls, sessions, tokens };
}

describe('AuthService: principals checked recently', () => {
  const start = new Date('2026-12-02T08:00:00Z');
  const setup = () => {
    const clock = new FixedClock(start);
    const fake = fakeRepository();
    const uow = { run: (work: (em: unknown) => Promise<unknown>) => work({}) } as unknown as UnitOfWork;
    const cache = new PrincipalCache(clock);
    return { ...fake, clock, cache, auth: new AuthService(fake.repository, uow, clock, new LoginThrottle(), cache) };
  };

  it(`asks the database once per session for ${PRINCIPAL_CACHE_MS / 1000} s (by the application's clock), then again`, async () => {
    const { auth, calls, clock, sessions } = setup();
    expect(await auth.bySession('secret')).toMatchObject({ userId: 'u1', structureIds: ['s1'] });
    expect(await auth.bySession('secret')).toMatchObject({ userId: 'u1' });
    expect(calls.session).toBe(1);
    // Ended by another process: seen once the delay has passed.
    sessions.clear();
    clock.set(new Date(start.getTime() + PRINCIPAL_CACHE_MS + 1));
    expect(await auth.bySession('secret')).toBeNull();
    expect(calls.session).toBe(2);
  });

  it('never trusts an unknown secret, nor keeps the refusal', async () => {
    const { auth, calls } = setup();
    expect(await auth.bySession('forged')).toBeNull();
    expect(await auth.bySession('forged')).toBeNull();
    expect(await auth.byApiToken('forged')).toBeNull();
    expect(calls).toEqual({ session: 2, token: 1 });
  });

  it('a log-out in this process ends the session at once', async () => {
    const { auth, calls } = setup();
    await auth.bySession('secret');
    await auth.logout('secret');
    expect(await auth.bySession('secret')).toBeNull();
    expect(calls.session).toBe(2);
  });

  it('a change to users (PrincipalCache.clear) is seen at once, tokens included', async () => {
    const { auth, calls, cache, tokens } = setup();
    await auth.byApiToken('token');
    await auth.byApiToken('token');
    expect(calls.token).toBe(1);
    tokens.clear(); // revoked
    cache.clear();
    expect(await auth.byApiToken('token')).toBeNull();
  });

  it('hands every request its own principal: changing one changes neither the cache nor the next request', async () => {
    const { auth } = setup();
    const first = (await auth.bySession('secret'))!;
    first.structureIds.push('s2');
    const second = (await auth.bySession('secret'))!;
    second.structureIds.push('s3');
    expect((await auth.bySession('secret'))!.structureIds).toEqual(['s1']);
  });
});
