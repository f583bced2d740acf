// IdStatut of a CPPFactureStatutUnitaire (CPPStatutPivot_V1_19.xsd, documentation of IdStatut: 01 … 12) and the
// Chorus Pro status names of the API (traiter/recue, consulter/historique). 13–41 are allowed by the schema but
// not documented: they are reported on import, never guessed.
export const ID_STATUT_TO_CPP: Readonly<Record<string, string>> = {
  '01': 'DEPOSEE',
  '02': 'EN_COURS_ACHEMINEMENT',
  '03': 'MISE_A_DISPOSITION',
  '04': 'A_RECYCLER',
  '05': 'REJETEE',
  '06': 'SUSPENDUE',
  '07': 'SERVICE_FAIT',
  '08': 'MANDATEE',
  '09': 'MISE_A_DISPOSITION_COMPTABLE',
  '10': 'COMPTABILISEE',
  '11': 'MISE_EN_PAIEMENT',
  '12': 'COMPLETEE',
};

/** The statuses the workflow sends (issue 5): A_RECYCLER 04, REJETEE 05, SUSPENDUE 06, SERVICE_FAIT 07, MANDATEE 08, MISE_EN_PAIEMENT 11. */
export const CPP_TO_ID_STATUT: Readonly<Record<string, string>> = {
  A_RECYCLER: '04',
  REJETEE: '05',
  SUSPENDUE: '06',
  SERVICE_FAIT: '07',
  MANDATEE: '08',
  MISE_EN_PAIEMENT: '11',
};

/** ComplementStatut: the status in words, as Chorus Pro's portal shows it. */
export const CPP_STATUS_LABELS: Readonly<Record<string, string>> = {
  DEPOSEE: 'Déposée',
  EN_COURS_ACHEMINEMENT: "En cours d'acheminement",
  MISE_A_DISPOSITION: 'Mise à disposition',
  A_RECYCLER: 'À recycler',
  REJETEE: 'Rejetée',
  SUSPENDUE: 'Suspendue',
  SERVICE_FAIT: 'Service fait',
  MANDATEE: 'Mandatée',
  MISE_A_DISPOSITION_COMPTABLE: 'Mise à disposition du comptable',
  COMPTABILISEE: 'Comptabilisée',
  MISE_EN_PAIEMENT: 'Mise en paiement',
  COMPLETEE: 'Complétée',
};

/** Status codes of a flow-level block (CPPFluxStatuts): reception of a whole flow, not an invoice's status. */
export const FLUX_STATUT_LABELS: Readonly<Record<string, string>> = {
  '90': 'Reçu',
  '91': 'En cours de transmission',
  '92': 'Reçu destinataire final',
  '93': 'Erreur réception',
  '94': 'Erreur réception destinataire final',
  '95': 'Erreur de transmission au destinataire final',
  '96': 'Reçu - intégration partielle',
};

export const RETURN_MODES = ['api', 'file', 'off'] as const;
export type ReturnMode = (typeof RETURN_MODES)[number];
