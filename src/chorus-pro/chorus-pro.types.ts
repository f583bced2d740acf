// Shapes of the Chorus Pro API (PISTE, `…/cpro/`) as Passerelle uses them. Field names are Chorus Pro's own
// (camelCase JSON, see the fakeCpp samples of Pastell: CPPListeFactures.json, CPPHistoStatutFacture.json,
// CPPResultStatutOK/KO.json). Every answer carries `codeRetour` (0 ok, 20000 « aucun résultat ») and `libelle`.

/** Statuses of a received invoice (« demande de paiement ») on the recipient side. */
export const CPP_RECEIVED_STATUSES = [
  'DEPOSEE',
  'MISE_A_DISPOSITION',
  'A_RECYCLER',
  'REJETEE',
  'SUSPENDUE',
  'COMPLETEE',
  'SERVICE_FAIT',
  'MANDATEE',
  'MISE_A_DISPOSITION_COMPTABLE',
  'COMPTABILISEE',
  'MISE_EN_PAIEMENT',
] as const;
export type CppReceivedStatus = (typeof CPP_RECEIVED_STATUSES)[number];

export type TypeDemandePaiement = 'FACTURE' | 'FACTURE_TRAVAUX';

/** Functional return codes read on every answer. */
export const CODE_RETOUR_OK = 0;
export const CODE_RETOUR_NO_RESULT = 20000;
/** « Incohérence au niveau du statut d'origine ou de destination de la facture » (traiter/recue). */
export const CODE_RETOUR_BAD_TRANSITION = 20002;

export interface ChorusProAnswer {
  codeRetour: number;
  libelle: string;
}

/** Technical account (« compte technique ») of a structure, sent as `cpro-account: base64(login:password)`. */
export interface TechnicalAccount {
  login: string;
  password: string;
}

/** Who calls: the account used, and an optional meter counting the calls actually sent (reports, benchmark). */
export interface ChorusProCallContext {
  account: TechnicalAccount;
  onCall?: (endpoint: string) => void;
}

export interface ParamRecherche {
  pageResultatDemandee?: number;
  nbResultatsParPage?: number;
  triColonne?: string;
  triSens?: 'Ascendant' | 'Descendant';
}

/** POST factures/v1/rechercher/recipiendaire */
export interface RechercherFacturesRecipiendaireRequest {
  typeDemandePaiement?: TypeDemandePaiement;
  periodeDateHeureEtatCourantDu?: string;
  periodeDateHeureEtatCourantAu?: string;
  statutCourant?: string[];
  numeroFacture?: string;
  idDestinataire?: number;
  /** Asks for each invoice's `taille` (bytes), to size downloads. */
  recupererTaille?: boolean;
  paramRecherche?: ParamRecherche;
}

export interface FactureRecipiendaire {
  idFacture: number;
  numeroFacture: string;
  typeDemandePaiement: TypeDemandePaiement;
  typeFacture: string;
  typeFactureTravaux?: string | null;
  statut: string;
  dateHeureEtatCourant?: string;
  commentaireEtatCourant?: string | null;
  dateDepot: string;
  dateFacture: string;
  codeDestinataire: string;
  designationDestinataire: string;
  idDestinataire: number;
  codeFournisseur: string;
  designationFournisseur: string;
  typeIdentifiantFournisseur: string;
  codeServiceExecutant?: string | null;
  nomServiceExecutant?: string | null;
  idServiceExecutant?: number | null;
  devise: string;
  montantHT: number;
  montantTTC: number;
  montantAPayer: number;
  numeroBonCommande?: string | null;
  numeroMarche?: string | null;
  factureTelechargeeParDestinataire: boolean;
  /** Size in bytes of the invoice's file(s), when `recupererTaille` was asked. */
  taille?: number;
}

export interface RechercherFacturesRecipiendaireResponse extends ChorusProAnswer {
  listeFactures: FactureRecipiendaire[];
  pageCourante: number | null;
  pages: number | null;
  nbResultatsParPage: number | null;
  total: number | null;
}

/** POST factures/v1/telecharger/groupe */
export interface TelechargerGroupeRequest {
  listeFacture: Array<{ idFacture: number }>;
  format: 'PIVOT' | 'PDF' | 'XML' | 'ZIP';
  avecPiecesJointesComplementaires?: 'OUI' | 'NON';
}

export interface TelechargerGroupeResponse extends ChorusProAnswer {
  /** Base64 of a ZIP archive holding the invoices' files (one CPPFacturePivot per invoice in PIVOT format). */
  fichierResultat: string;
}

/** POST factures/v1/consulter/recipiendaire */
export interface ConsulterFactureRequest {
  idFacture: number;
}

export interface ConsulterFactureResponse extends ChorusProAnswer {
  facture: FactureRecipiendaire & { cadreFacturation: string; numeroEngagement?: string | null };
}

/** POST factures/v1/consulter/historique */
export interface ConsulterHistoriqueRequest {
  idFacture: number;
  nbResultatsMaximum?: number;
}

export interface HistoStatut {
  histoStatutId: number;
  histoStatutCode: string;
  /** "YYYY-MM-DD HH:mm" (Chorus Pro's format). */
  histoStatutDatePassage: string;
  histoStatutCommentaire: string;
  histoStatutUtilisateurNom?: string;
  histoStatutUtilisateurPrenom?: string;
}

export interface ConsulterHistoriqueResponse extends ChorusProAnswer {
  idFacture: number;
  statutCourantCode: string;
  historiquesDesStatuts: { histoStatut: HistoStatut[] };
}

/** POST factures/v1/traiter/recue */
export interface TraiterFactureRecueRequest {
  idFacture: number;
  nouveauStatut: string;
  /** Mandatory for REJETEE, SUSPENDUE and A_RECYCLER. */
  motif?: string;
  numeroDPMandat?: string;
}

export interface TraiterFactureRecueSuccess extends ChorusProAnswer {
  idFacture: number;
  numeroFacture: string;
  dateTraitement: string;
  nouveauStatut: string;
}

/**
 * traiter/recue's outcome: Chorus Pro refusing a transition (codeRetour 20002, …) is an outcome the caller
 * handles (status return keeps the row, reports it), not an exception.
 */
export type TraiterFactureRecueResult =
  | ({ accepted: true } & TraiterFactureRecueSuccess)
  | { accepted: false; codeRetour: number; libelle: string };

/** POST transverses/v1/recuperer/etats/traitement */
export interface RecupererEtatsTraitementRequest {
  statutCourant: string;
  /** Simulator extension: some cadres need SERVICE_FAIT before MANDATEE. */
  cadreFacturation?: string;
}

export interface RecupererEtatsTraitementResponse extends ChorusProAnswer {
  listeStatutsPossiblesPourTraitement: Array<{ statutPossiblePourTraitement: string }>;
}

/** POST structures/v1/rechercher */
export interface RechercherStructuresRequest {
  structure?: { identifiantStructure?: string; typeIdentifiantStructure?: string; raisonSociale?: string };
  parametres?: ParamRecherche;
}

export interface StructureCpp {
  idStructureCPP: number;
  identifiantStructure: string;
  typeIdentifiantStructure: string;
  designationStructure: string;
  statut: string;
}

export interface ParametresRetour {
  total: number;
  pageCourante: number;
  pages: number;
  nbResultatsParPage: number;
}

export interface RechercherStructuresResponse extends ChorusProAnswer {
  listeStructures: StructureCpp[];
  parametresRetour: ParametresRetour;
}

/** POST structures/v1/rechercher/services (paged by `parametresRechercherServicesStructure`, go-choruspro). */
export interface RechercherServicesRequest {
  idStructure: number;
  parametresRechercherServicesStructure?: ParamRecherche;
  /** Older name of the paging block, still read by the simulator. */
  parametres?: ParamRecherche;
}

export interface ServiceCpp {
  idService: number;
  codeService: string;
  libelleService: string;
  estActif: boolean;
  statutService?: string;
}

export interface RechercherServicesResponse extends ChorusProAnswer {
  listeServices: ServiceCpp[];
  parametresRetour: ParametresRetour;
}

/** POST structures/v1/consulter: a structure's settings (field names as go-choruspro and OCA l10n-france read them). */
export interface ConsulterStructureRequest {
  idStructureCPP: number;
  codeLangue?: 'FR' | 'EN' | 'fr' | 'en';
}

/** `parametres` of structures/v1/consulter: what Chorus Pro requires on invoices sent to the structure. */
export interface ParametresStructureCpp {
  /** « Code service obligatoire ». */
  codeServiceDoitEtreRenseigne?: boolean;
  /** « Numéro d'engagement (EJ) obligatoire ». */
  numeroEJDoitEtreRenseigne?: boolean;
  /** « EJ ou code service » : one of the two is enough. */
  gestionNumeroEJOuCodeService?: boolean;
  statutMiseEnPaiementNestPasRemonte?: boolean;
  estMoaUniquement?: boolean;
}

export interface ConsulterStructureResponse extends ChorusProAnswer {
  informationGenerales?: {
    idStructureCPP?: number;
    identifiantStructure?: string;
    raisonSocialeStructure?: string;
    libelleStructure?: string;
  };
  parametres: ParametresStructureCpp;
}

/** Roles of the user in the works circuit (facturesTravaux/v1/rechercher `roleUtilisateur`). */
export type WorksRole = 'MOE' | 'MOA';

/** `codeRetour` of facturesTravaux/v1/rechercher when nothing matches (GFT_MSG_01.075), not 20000. */
export const CODE_RETOUR_WORKS_NO_RESULT = 20007;

/** POST facturesTravaux/v1/rechercher (request shape as Pastell's CPPWrapper sends it). */
export interface RechercherFacturesTravauxRequest {
  roleUtilisateur: WorksRole;
  idDestinataire?: number;
  periodeDateHeureEtatCourantDu?: string;
  periodeDateHeureEtatCourantAu?: string;
  rechercheFactureTravaux?: { pageResultatDemandee?: number; nbResultatsParPage?: number };
}

/** One entry of `listeFacturesTravaux` (field names of Pastell's samples: idFactureTravaux, statutFactureTravaux…). */
export interface FactureTravaux {
  idFactureTravaux: number;
  numeroFactureTravaux: string;
  statutFactureTravaux: string;
  typeDemandePaiement?: 'FACTURE_TRAVAUX';
  typeFactureTravaux?: string | null;
  cadreFacturation?: string | null;
  dateFactureTravaux?: string;
  dateDepot?: string;
  dateHeureEtatCourant?: string;
  idDestinataire?: number;
  identifiantDestinataire?: string;
  designationDestinataire?: string;
  identifiantFournisseur?: string;
  designationFournisseur?: string;
  typeIdentifiantFournisseur?: string;
  codeMOE?: string | null;
  designationMOE?: string | null;
  codeMOA?: string | null;
  designationMOA?: string | null;
  idServiceExecutant?: number | null;
  identifiantServiceExecutant?: string | null;
  devise?: string;
  montantHT?: number;
  montantTTC?: number;
  montantAPayer?: number;
  factureTelechargeeParDestinataire?: boolean;
  /** Size in bytes of the pivot (simulator extension, as `taille` of rechercher/recipiendaire). */
  taille?: number;
}

export interface RechercherFacturesTravauxResponse extends ChorusProAnswer {
  listeFacturesTravaux: FactureTravaux[];
  parametresRetour: { pageCourante: number; pages: number; nbResultatsParPage?: number; total?: number } | null;
}

/** Endpoints, relative to the API base URL (…/cpro/). */
export const CPP_ENDPOINTS = {
  rechercherRecipiendaire: 'factures/v1/rechercher/recipiendaire',
  telechargerGroupe: 'factures/v1/telecharger/groupe',
  consulterRecipiendaire: 'factures/v1/consulter/recipiendaire',
  consulterHistorique: 'factures/v1/consulter/historique',
  traiterRecue: 'factures/v1/traiter/recue',
  recupererEtatsTraitement: 'transverses/v1/recuperer/etats/traitement',
  rechercherStructures: 'structures/v1/rechercher',
  rechercherServices: 'structures/v1/rechercher/services',
  consulterStructure: 'structures/v1/consulter',
  rechercherFacturesTravaux: 'facturesTravaux/v1/rechercher',
} as const;
export type CppEndpoint = (typeof CPP_ENDPOINTS)[keyof typeof CPP_ENDPOINTS];
