import { Injectable } from '@nestjs/common';
import { TooManyAttemptsError } from '@/common/errors/domain.error';

/** Failed log-ins allowed per account within the window; beyond, the account's log-in is refused until it slides. */
export const MAX_FAILED_LOGINS = 5;
export const FAILED_LOGIN_WINDOW_MS = 15 * 60_000;
/** Accounts followed at once (oldest dropped beyond): bounds memory whatever names an attacker tries. */
const MAX_TRACKED = 10_000;

/**
 * Slows password guessing: after MAX_FAILED_LOGINS failures on one account (known or not, so that the answer says
 * nothing about which accounts exist) within FAILED_LOGIN_WINDOW_MS, further attempts are refused — even with the
 * right password — until the oldest failure leaves the window. Kept in memory, per process: a restart or another
 * instance starts afresh, which still divides an online attack's speed by thousands.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  /** Throws TOO_MANY_LOGIN_ATTEMPTS when the account may not try now. */
  check(account: string, now: Date): void {
    const recent = this.recent(account, now.getTime());
    if (recent.length < MAX_FAILED_LOGINS) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((recent[0] + FAILED_LOGIN_WINDOW_MS - now.getTime()) / 1000));
    const minutes = Math.ceil(retryAfterSeconds / 60);
    throw new TooManyAttemptsError(
      'TOO_MANY_LOGIN_ATTEMPTS',
      `Trop de tentatives de connexion pour ce compte : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`,
      retryAfterSeconds,
    );
  }

  failed(account: string, now: Date): void {
    const recent = this.recent(account, now.getTime());
    recent.push(now.getTime());
    this.failures.delete(account); // re-inserted last: the Map's order is then the order of last failure
    this.failures.set(account, recent);
    if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
  }

  succeeded(account: string): void {
    this.failures.delete(account);
  }

  private recent(account: string, now: number): number[] {
    return (this.failures.get(account) ?? []).filter((t) => now - t < FAILED_LOGIN_WINDOW_MS);
  }
}
