import { TooManyAttemptsError } from '@/common/errors/domain.error';
import { FAILED_LOGIN_WINDOW_MS, LoginThrottle, MAX_FAILED_LOGINS } from '@/users/login.throttle';

describe('LoginThrottle', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 10, 23, 8) + ms);

  it(`refuses an account after ${MAX_FAILED_LOGINS} failures in the window, others unaffected, until the oldest leaves it`, () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      throttle.check('agent@ville.fr', at(i * 1000));
      throttle.failed('agent@ville.fr', at(i * 1000));
    }
    expect(() => throttle.check('agent@ville.fr', at(10_000))).toThrow(TooManyAttemptsError);
    expect(() => throttle.check('tresorier@ville.fr', at(10_000))).not.toThrow();
    try {
      throttle.check('agent@ville.fr', at(10_000));
    } catch (err) {
      expect(err).toMatchObject({ code: 'TOO_MANY_LOGIN_ATTEMPTS', retryAfterSeconds: FAILED_LOGIN_WINDOW_MS / 1000 - 10 });
      expect((err as Error).message).toMatch(/réessayez dans 15 minutes/);
    }
    // The first failure (t = 0) leaves the window: one more try is allowed.
    expect(() => throttle.check('agent@ville.fr', at(FAILED_LOGIN_WINDOW_MS))).not.toThrow();
  });

  it('a successful log-in clears the account’s failures', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) throttle.failed('agent@ville.fr', at(i));
    throttle.succeeded('agent@ville.fr');
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) throttle.failed('agent@ville.fr', at(100 + i));
    expect(() => throttle.check('agent@ville.fr', at(200))).not.toThrow();
  });
});
