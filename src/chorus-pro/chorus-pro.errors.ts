import { DomainError } from '@/common/errors/domain.error';
import { formatCount } from '@/common/money/french-format';

// Failures of a Chorus Pro call, typed so callers decide: a functional refusal is final (no retry), an
// unavailable platform is retried later (the pull keeps its window), a refused account needs a person.

/** Chorus Pro answered with a functional `codeRetour` other than 0 / 20000: its `libelle` is kept. */
export class ChorusProFunctionalError extends DomainError {
  constructor(
    readonly endpoint: string,
    readonly codeRetour: number,
    readonly libelle: string,
  ) {
    super('CHORUS_PRO_FUNCTIONAL', `Chorus Pro a refusé l'appel ${endpoint} (code ${codeRetour}) : ${libelle}`, 'invalid', {
      endpoint,
      codeRetour,
      libelle,
    });
  }
}

/** Network errors, timeouts, 429 and 5xx still failing after every retry. */
export class ChorusProUnavailableError extends DomainError {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
    readonly status?: number,
  ) {
    super('CHORUS_PRO_UNAVAILABLE', `Chorus Pro est indisponible (${endpoint}) : ${reason}`, 'unavailable', { endpoint, status });
  }
}

/** PISTE refused the application (client id / secret) or a renewed token is refused again. */
export class ChorusProAuthError extends DomainError {
  constructor(message: string, readonly status?: number) {
    super('CHORUS_PRO_AUTH', message, 'unavailable', { status });
  }
}

/** The structure's technical account (cpro-account) is refused. */
export class ChorusProAccountError extends DomainError {
  constructor(readonly endpoint: string, readonly status: number) {
    super('CHORUS_PRO_ACCOUNT_REFUSED', `Chorus Pro refuse le compte technique de la structure (HTTP ${status}, ${endpoint})`, 'forbidden', {
      endpoint,
      status,
    });
  }
}

/** The answer is larger than Chorus Pro serves (120 MB per telecharger/groupe): HTTP 413. */
export class ChorusProTooLargeError extends DomainError {
  constructor(readonly endpoint: string) {
    super('CHORUS_PRO_TOO_LARGE', `La réponse de Chorus Pro dépasserait la taille maximale (${endpoint}) : groupe à réduire`, 'invalid', {
      endpoint,
    });
  }
}

/** Any other HTTP status Chorus Pro should not send (400, 404 …): not retried. */
export class ChorusProHttpError extends DomainError {
  constructor(readonly endpoint: string, readonly status: number, body: string) {
    super('CHORUS_PRO_HTTP', `Réponse inattendue de Chorus Pro (${endpoint}) : HTTP ${status} ${body.slice(0, 200)}`, 'unavailable', {
      endpoint,
      status,
    });
  }
}

/** Daily quota of the PISTE application reached: the pull stops until tomorrow. */
export class ChorusProQuotaExceededError extends DomainError {
  constructor(limit: number) {
    super('CHORUS_PRO_DAILY_QUOTA', `Quota journalier Chorus Pro atteint (${formatCount(limit)} appels) : reprise demain`, 'unavailable', { limit });
  }
}

export class ChorusProNotConfiguredError extends DomainError {
  constructor(what: string) {
    super('CHORUS_PRO_NOT_CONFIGURED', `Chorus Pro n'est pas configuré : ${what}`, 'invalid');
  }
}
