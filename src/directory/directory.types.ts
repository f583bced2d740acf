/**
 * One structure as the Chorus Pro API describes it — `structures/v1/rechercher` (identifiantStructure,
 * designationStructure, statut ACTIF/INACTIF), its parameters (estMOA, codeServiceDoitEtreRenseigne,
 * numeroEngagementDoitEtreRenseigne) and `structures/v1/rechercher/services` (codeService, libelleService,
 * estActif) — so the API sync and the CSV import feed `DirectoryService.upsertMany` the same way.
 */
export interface DirectoryStructureInput {
  /** identifiantStructure (SIRET). */
  siret: string;
  /** designationStructure (raison sociale). */
  name: string;
  /** statut ACTIF → true, INACTIF → false. */
  active: boolean;
  idStructureCpp?: number | null;
  estMOA?: boolean;
  /** « Code service obligatoire ». */
  serviceRequired?: boolean;
  /** « Numéro d'engagement obligatoire ». */
  engagementRequired?: boolean;
  /** « N° d'engagement ou code service » (gestionNumeroEJOuCodeService): one of the two. */
  engagementOrServiceRequired?: boolean;
  /** Services of the structure; absent = leave the stored services as they are. */
  services?: Array<{ code: string; label: string; active: boolean }>;
}

export interface UpsertManyOptions {
  /** 'api' or 'csv' (kept on the row). */
  source?: 'api' | 'csv';
  /**
   * The given services are the complete list (API sync): the structure's other stored services are marked
   * inactive. Off for CSV files, where a structure's services may come on several rows.
   */
  servicesComplete?: boolean;
}

export interface DirectoryStructureView {
  siret: string;
  name: string;
  active: boolean;
  estMOA: boolean;
  serviceRequired: boolean;
  engagementRequired: boolean;
  engagementOrServiceRequired: boolean;
  services: Array<{ code: string; label: string; active: boolean }>;
}
