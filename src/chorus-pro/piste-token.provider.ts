import { Injectable } from '@nestjs/common';
import { ChorusProAuthError, ChorusProNotConfiguredError, ChorusProUnavailableError } from '@/chorus-pro/chorus-pro.errors';
import { AppConfig } from '@/config/app.config';

interface CachedToken {
  value: string;
  /** Epoch ms after which the token is no longer used (a margin before its real expiry). */
  renewAt: number;
}

/**
 * PISTE OAuth2 `client_credentials` token (scope openid), cached until shortly before `expires_in`.
 * Concurrent callers share one request. `invalidate` drops a token the API refused (401).
 */
@Injectable()
export class PisteTokenProvider {
  private cached: CachedToken | null = null;
  private pending: Promise<string> | null = null;
  /** Tokens obtained since start (tests, benchmark). */
  issued = 0;

  constructor(private readonly config: AppConfig) {}

  async token(): Promise<string> {
    if (this.cached && Date.now() < this.cached.renewAt) return this.cached.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** The API refused `value`: forget it (unless a newer one was already fetched). */
  invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = null;
  }

  private async fetchToken(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, timeoutMs, maxRetries, retryBaseMs } = this.config.chorusPro;
    if (!tokenUrl) throw new ChorusProNotConfiguredError('URL du jeton PISTE absente (CHORUS_PRO_TOKEN_URL)');
    if (!clientId || !clientSecret) throw new ChorusProNotConfiguredError('identifiants PISTE absents (PISTE_CLIENT_ID, PISTE_CLIENT_SECRET)');
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'openid' });
    let lastError = '';
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) await sleep(Math.min(retryBaseMs * 2 ** (attempt - 1), 10_000) * (0.5 + Math.random() / 2));
      let res: Response;
      try {
        res = await fetch(tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        lastError = (err as Error).message;
        continue;
      }
      const text = await res.text().catch(() => '');
      if (res.status === 429 || res.status >= 500) {
        lastError = `HTTP ${res.status}`;
        continue;
      }
      if (res.status !== 200) throw new ChorusProAuthError(`PISTE refuse l'application (HTTP ${res.status}) : vérifier PISTE_CLIENT_ID / PISTE_CLIENT_SECRET`, res.status);
      let json: { access_token?: string; expires_in?: number };
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        lastError = 'réponse illisible du serveur de jetons';
        continue;
      }
      if (!json.access_token) throw new ChorusProAuthError('PISTE a répondu sans jeton');
      const lifetimeMs = Math.max(1, Number(json.expires_in ?? 3600)) * 1000;
      // Renew a little before the end (60 s, or a tenth of short lifetimes) so that no call leaves with a dying token.
      const margin = Math.min(60_000, lifetimeMs / 10);
      this.cached = { value: json.access_token, renewAt: Date.now() + lifetimeMs - margin };
      this.issued++;
      return json.access_token;
    }
    throw new ChorusProUnavailableError('oauth/token', lastError);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
