import { Injectable, Logger } from '@nestjs/common';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { ChorusProCallQuota } from '@/chorus-pro/chorus-pro-call.quota';
import {
  ChorusProAccountError,
  ChorusProAuthError,
  ChorusProFunctionalError,
  ChorusProHttpError,
  ChorusProNotConfiguredError,
  ChorusProTooLargeError,
  ChorusProUnavailableError,
} from '@/chorus-pro/chorus-pro.errors';
import {
  ChorusProAnswer,
  ChorusProCallContext,
  CODE_RETOUR_NO_RESULT,
  CODE_RETOUR_OK,
  CODE_RETOUR_WORKS_NO_RESULT,
  ConsulterFactureRequest,
  ConsulterFactureResponse,
  ConsulterHistoriqueRequest,
  ConsulterHistoriqueResponse,
  ConsulterStructureRequest,
  ConsulterStructureResponse,
  CPP_ENDPOINTS,
  RechercherFacturesTravauxRequest,
  RechercherFacturesTravauxResponse,
  RechercherFacturesRecipiendaireRequest,
  RechercherFacturesRecipiendaireResponse,
  RechercherServicesRequest,
  RechercherServicesResponse,
  RechercherStructuresRequest,
  RechercherStructuresResponse,
  RecupererEtatsTraitementRequest,
  RecupererEtatsTraitementResponse,
  TechnicalAccount,
  TelechargerGroupeRequest,
  TelechargerGroupeResponse,
  TraiterFactureRecueRequest,
  TraiterFactureRecueResult,
  TraiterFactureRecueSuccess,
} from '@/chorus-pro/chorus-pro.types';
import { PisteTokenProvider, sleep } from '@/chorus-pro/piste-token.provider';
import { AppConfig } from '@/config/app.config';

interface CallOptions {
  /** Return functional codes instead of throwing (traiter/recue). */
  functionalAsOutcome?: boolean;
  /**
   * Not idempotent (traiter/recue): retry only answers proving the request was not processed (429, 503). After
   * a timeout, a cut connection or another 5xx it may have been applied: the caller checks Chorus Pro's history
   * before sending again, so a status is never sent twice.
   */
  retryOnlyUndelivered?: boolean;
}

class Retryable {
  constructor(
    readonly reason: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {}
}

/**
 * Chorus Pro over HTTP (PISTE): JSON POST under the configured base URL, bearer token + `cpro-account` header.
 * Every attempt takes a slot in the shared quota first. Retries with exponential backoff and jitter on network
 * errors, timeouts, unreadable JSON, 429 (Retry-After honoured) and 5xx; never on functional answers.
 * A 401 renews the token once and retries.
 */
@Injectable()
export class HttpChorusProApi extends ChorusProApi {
  private readonly logger = new Logger('ChorusPro');
  /** Attempts sent since start, all callers (benchmark). */
  calls = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: PisteTokenProvider,
    private readonly quota: ChorusProCallQuota,
  ) {
    super();
  }

  async rechercherFacturesRecipiendaire(
    ctx: ChorusProCallContext,
    request: RechercherFacturesRecipiendaireRequest,
  ): Promise<RechercherFacturesRecipiendaireResponse> {
    const answer = await this.call<RechercherFacturesRecipiendaireResponse>(ctx, CPP_ENDPOINTS.rechercherRecipiendaire, request);
    return {
      ...answer,
      listeFactures: answer.codeRetour === CODE_RETOUR_NO_RESULT ? [] : (answer.listeFactures ?? []),
      pageCourante: answer.pageCourante ?? null,
      pages: answer.pages ?? (answer.codeRetour === CODE_RETOUR_NO_RESULT ? 0 : null),
      nbResultatsParPage: answer.nbResultatsParPage ?? null,
      total: answer.total ?? (answer.codeRetour === CODE_RETOUR_NO_RESULT ? 0 : null),
    };
  }

  async telechargerGroupe(ctx: ChorusProCallContext, request: TelechargerGroupeRequest): Promise<TelechargerGroupeResponse> {
    return this.call<TelechargerGroupeResponse>(ctx, CPP_ENDPOINTS.telechargerGroupe, request);
  }

  async consulterFactureRecipiendaire(ctx: ChorusProCallContext, request: ConsulterFactureRequest): Promise<ConsulterFactureResponse> {
    return this.call<ConsulterFactureResponse>(ctx, CPP_ENDPOINTS.consulterRecipiendaire, request);
  }

  async consulterHistorique(ctx: ChorusProCallContext, request: ConsulterHistoriqueRequest): Promise<ConsulterHistoriqueResponse> {
    const answer = await this.call<ConsulterHistoriqueResponse>(ctx, CPP_ENDPOINTS.consulterHistorique, request);
    return { ...answer, historiquesDesStatuts: { histoStatut: answer.historiquesDesStatuts?.histoStatut ?? [] } };
  }

  async traiterFactureRecue(ctx: ChorusProCallContext, request: TraiterFactureRecueRequest): Promise<TraiterFactureRecueResult> {
    const answer = await this.call<TraiterFactureRecueSuccess>(ctx, CPP_ENDPOINTS.traiterRecue, request, {
      functionalAsOutcome: true,
      retryOnlyUndelivered: true,
    });
    if (answer.codeRetour !== CODE_RETOUR_OK) return { accepted: false, codeRetour: answer.codeRetour, libelle: answer.libelle };
    return { accepted: true, ...answer };
  }

  async recupererEtatsTraitement(
    ctx: ChorusProCallContext,
    request: RecupererEtatsTraitementRequest,
  ): Promise<RecupererEtatsTraitementResponse> {
    const answer = await this.call<RecupererEtatsTraitementResponse>(ctx, CPP_ENDPOINTS.recupererEtatsTraitement, request);
    return { ...answer, listeStatutsPossiblesPourTraitement: answer.listeStatutsPossiblesPourTraitement ?? [] };
  }

  async rechercherStructures(ctx: ChorusProCallContext, request: RechercherStructuresRequest): Promise<RechercherStructuresResponse> {
    const answer = await this.call<RechercherStructuresResponse>(ctx, CPP_ENDPOINTS.rechercherStructures, request);
    return { ...answer, listeStructures: answer.listeStructures ?? [] };
  }

  async rechercherServices(ctx: ChorusProCallContext, request: RechercherServicesRequest): Promise<RechercherServicesResponse> {
    const answer = await this.call<RechercherServicesResponse>(ctx, CPP_ENDPOINTS.rechercherServices, request);
    return { ...answer, listeServices: answer.listeServices ?? [] };
  }

  async consulterStructure(ctx: ChorusProCallContext, request: ConsulterStructureRequest): Promise<ConsulterStructureResponse> {
    const answer = await this.call<ConsulterStructureResponse>(ctx, CPP_ENDPOINTS.consulterStructure, request);
    return { ...answer, parametres: answer.parametres ?? {} };
  }

  async rechercherFacturesTravaux(
    ctx: ChorusProCallContext,
    request: RechercherFacturesTravauxRequest,
  ): Promise<RechercherFacturesTravauxResponse> {
    // 20007 (GFT_MSG_01.075) is this endpoint's « aucun résultat » (Pastell's CPPWrapper): an outcome, not a refusal.
    const answer = await this.call<RechercherFacturesTravauxResponse>(ctx, CPP_ENDPOINTS.rechercherFacturesTravaux, request, { functionalAsOutcome: true });
    const none = answer.codeRetour === CODE_RETOUR_WORKS_NO_RESULT || answer.codeRetour === CODE_RETOUR_NO_RESULT;
    if (!none && answer.codeRetour !== CODE_RETOUR_OK) {
      throw new ChorusProFunctionalError(CPP_ENDPOINTS.rechercherFacturesTravaux, answer.codeRetour, answer.libelle ?? '');
    }
    return {
      ...answer,
      listeFacturesTravaux: none ? [] : (answer.listeFacturesTravaux ?? []),
      parametresRetour: answer.parametresRetour ?? (none ? { pageCourante: 1, pages: 0 } : null),
    };
  }

  private async call<T extends ChorusProAnswer>(ctx: ChorusProCallContext, endpoint: string, body: unknown, options: CallOptions = {}): Promise<T> {
    const { apiUrl, maxRetries, retryBaseMs, retryMaxMs } = this.config.chorusPro;
    if (!apiUrl) throw new ChorusProNotConfiguredError("URL de l'API absente (CHORUS_PRO_API_URL)");
    const url = new URL(endpoint, apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).toString();
    const account = accountHeader(ctx.account);
    const payload = JSON.stringify(body);
    let retries = 0;
    let tokenRenewed = false;
    for (;;) {
      const outcome = await this.attempt<T>(ctx, endpoint, url, account, payload, options, tokenRenewed);
      if (outcome === 'renew-token') {
        tokenRenewed = true;
        continue;
      }
      if (!(outcome instanceof Retryable)) return outcome;
      const undelivered = outcome.status === 429 || outcome.status === 503;
      if (options.retryOnlyUndelivered && !undelivered) {
        throw new ChorusProUnavailableError(endpoint, `${outcome.reason} (issue inconnue : pas de nouvel essai)`, outcome.status);
      }
      if (retries >= maxRetries) throw new ChorusProUnavailableError(endpoint, `${outcome.reason} (après ${retries + 1} tentatives)`, outcome.status);
      const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** retries);
      // Full jitter on the upper half: instances retrying together spread out instead of hitting again in step.
      const delay = outcome.retryAfterMs !== undefined ? outcome.retryAfterMs + Math.random() * 250 : backoff / 2 + (Math.random() * backoff) / 2;
      retries++;
      this.logger.warn(`Chorus Pro ${endpoint} : ${outcome.reason}, nouvel essai ${retries}/${maxRetries} dans ${Math.round(delay)} ms`);
      await sleep(delay);
    }
  }

  private async attempt<T extends ChorusProAnswer>(
    ctx: ChorusProCallContext,
    endpoint: string,
    url: string,
    account: string,
    payload: string,
    options: CallOptions,
    tokenRenewed: boolean,
  ): Promise<T | Retryable | 'renew-token'> {
    const token = await this.tokens.token();
    await this.quota.acquire();
    this.calls++;
    ctx.onCall?.(endpoint);
    let res: Response;
    let text: string;
    try {
      // The timeout covers the whole exchange, body included: a server that stalls mid-answer is cut too.
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'cpro-account': account,
          'content-type': 'application/json;charset=utf-8',
          accept: 'application/json',
        },
        body: payload,
        signal: AbortSignal.timeout(this.config.chorusPro.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? `délai de ${this.config.chorusPro.timeoutMs} ms dépassé` : `erreur réseau (${e.message})`;
      return new Retryable(reason);
    }
    if (res.status === 401) {
      this.tokens.invalidate(token);
      if (!tokenRenewed) return 'renew-token';
      throw new ChorusProAuthError(`Chorus Pro refuse le jeton PISTE même renouvelé (${endpoint})`, 401);
    }
    if (res.status === 403) throw new ChorusProAccountError(endpoint, 403);
    if (res.status === 413) throw new ChorusProTooLargeError(endpoint);
    if (res.status === 429) return new Retryable('quota dépassé (HTTP 429)', 429, retryAfterMs(res.headers.get('retry-after')));
    if (res.status >= 500) return new Retryable(`HTTP ${res.status}`, res.status, res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : undefined);
    if (res.status !== 200) throw new ChorusProHttpError(endpoint, res.status, text);
    let answer: T;
    try {
      answer = JSON.parse(text) as T;
    } catch {
      // A truncated or garbled answer is a transport accident (proxy, cut connection): retried like one.
      return new Retryable('réponse JSON illisible');
    }
    if (typeof answer !== 'object' || answer === null || typeof answer.codeRetour !== 'number') return new Retryable('réponse sans codeRetour');
    if (answer.codeRetour === CODE_RETOUR_OK || answer.codeRetour === CODE_RETOUR_NO_RESULT) return answer;
    if (options.functionalAsOutcome) return answer;
    throw new ChorusProFunctionalError(endpoint, answer.codeRetour, answer.libelle ?? '');
  }
}

export function accountHeader(account: TechnicalAccount): string {
  return Buffer.from(`${account.login}:${account.password}`, 'utf8').toString('base64');
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
