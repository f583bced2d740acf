import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Clock } from '@/clock/clock.port';
import { Principal } from '@/users/principal';

/**
 * How long a checked session or API token is trusted without asking the database again. A page makes several API
 * calls in a row; each paid a look-up round trip before its own query (at a million invoices, as much as the query).
 * Changes made in this process (log-out, deactivation, roles, structures) clear the entry or the cache at once; a
 * change made by another process (the CLI beside a running server) is seen within this delay.
 */
export const PRINCIPAL_CACHE_MS = 5_000;
const MAX_ENTRIES = 10_000;

/** Principals by the SHA-256 of their session secret or token (never the secret itself), for PRINCIPAL_CACHE_MS. */
@Injectable()
export class PrincipalCache {
  private readonly entries: LRUCache<string, Principal>;

  constructor(clock: Clock) {
    // The application's clock, not the machine's: a clock moved forward (tests, demo) expires entries too.
    this.entries = new LRUCache<string, Principal>({ max: MAX_ENTRIES, ttl: PRINCIPAL_CACHE_MS, ttlResolution: 0, perf: { now: () => clock.now().getTime() } });
  }

  get(hash: string): Principal | undefined {
    return this.entries.get(hash);
  }

  set(hash: string, principal: Principal): void {
    this.entries.set(hash, principal);
  }

  delete(hash: string): void {
    this.entries.delete(hash);
  }

  /** After any change to users, their roles, structures, sessions or tokens. */
  clear(): void {
    this.entries.clear();
  }
}
