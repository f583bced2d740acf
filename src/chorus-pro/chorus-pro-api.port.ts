import {
  ChorusProCallContext,
  ConsulterFactureRequest,
  ConsulterFactureResponse,
  ConsulterHistoriqueRequest,
  ConsulterHistoriqueResponse,
  ConsulterStructureRequest,
  ConsulterStructureResponse,
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
  TelechargerGroupeRequest,
  TelechargerGroupeResponse,
  TraiterFactureRecueRequest,
  TraiterFactureRecueResult,
} from '@/chorus-pro/chorus-pro.types';

/**
 * The Chorus Pro API (port). Every method is one call, counted against the PISTE quotas, made with the
 * technical account of `ctx`. « No result » (codeRetour 20000) comes back as an empty list; other functional
 * codes throw ChorusProFunctionalError, except in traiterFactureRecue where a refusal is an outcome.
 */
export abstract class ChorusProApi {
  abstract rechercherFacturesRecipiendaire(
    ctx: ChorusProCallContext,
    request: RechercherFacturesRecipiendaireRequest,
  ): Promise<RechercherFacturesRecipiendaireResponse>;
  abstract telechargerGroupe(ctx: ChorusProCallContext, request: TelechargerGroupeRequest): Promise<TelechargerGroupeResponse>;
  abstract consulterFactureRecipiendaire(ctx: ChorusProCallContext, request: ConsulterFactureRequest): Promise<ConsulterFactureResponse>;
  abstract consulterHistorique(ctx: ChorusProCallContext, request: ConsulterHistoriqueRequest): Promise<ConsulterHistoriqueResponse>;
  abstract traiterFactureRecue(ctx: ChorusProCallContext, request: TraiterFactureRecueRequest): Promise<TraiterFactureRecueResult>;
  abstract recupererEtatsTraitement(
    ctx: ChorusProCallContext,
    request: RecupererEtatsTraitementRequest,
  ): Promise<RecupererEtatsTraitementResponse>;
  abstract rechercherStructures(ctx: ChorusProCallContext, request: RechercherStructuresRequest): Promise<RechercherStructuresResponse>;
  abstract rechercherServices(ctx: ChorusProCallContext, request: RechercherServicesRequest): Promise<RechercherServicesResponse>;
  /** A structure's settings (`parametres`: code service / EJ obligatoires). */
  abstract consulterStructure(ctx: ChorusProCallContext, request: ConsulterStructureRequest): Promise<ConsulterStructureResponse>;
  /** Works invoices seen as MOE or MOA; « no result » is codeRetour 20007 here, returned as an empty list. */
  abstract rechercherFacturesTravaux(
    ctx: ChorusProCallContext,
    request: RechercherFacturesTravauxRequest,
  ): Promise<RechercherFacturesTravauxResponse>;
}
