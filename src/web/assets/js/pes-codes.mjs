// Code lists of the PES V2 recette side as the DGFiP documentation names them (DomaineGlobalAller, PES_RecetteAller):
// display labels only, the server checks every value (src/pes/pes.types.ts).

export const CAT_TIERS = {
  '01': 'Personnes physiques',
  20: 'État et établissements publics nationaux',
  21: 'Régions',
  22: 'Départements',
  23: 'Communes',
  24: 'Groupements de collectivités',
  25: 'Caisses des écoles',
  26: 'CCAS',
  27: 'Établissements publics de santé',
  28: 'École nationale de la santé publique',
  29: 'Autres établissements publics et organismes internationaux',
  50: 'Autres organismes sociaux',
  60: 'Personnes morales de droit privé autres qu’organismes sociaux',
  61: 'Caisses de sécurité sociale régime général',
  62: 'Caisses de sécurité sociale régime agricole',
  63: 'Sécurité sociale des travailleurs non salariés et professions non agricoles',
  64: 'Autres régimes obligatoires de sécurité sociale',
  65: 'Mutuelles et organismes d’assurance',
  70: 'Divers autres tiers payants',
  71: 'CNRACL',
  72: 'IRCANTEC',
  73: 'ASSEDIC',
  74: 'Caisses mutualistes de retraite complémentaires',
};

export const NAT_JUR = {
  '01': 'Particuliers',
  '02': 'Artisan / Commerçant / Agriculteur',
  '03': 'Société',
  '04': 'CAM',
  '05': 'Caisse complémentaire',
  '06': 'Association',
  '07': 'État / organisme d’État',
  '08': 'Établissement public national',
  '09': 'Collectivité territoriale / EPL / EPS',
  10: 'État étranger / ambassade',
  11: 'CAF',
};

export const TYP_PCE = {
  '01': 'Titre ordinaire',
  '02': 'Titre correctif',
  '03': 'Titre d’ordre budgétaire',
  '04': 'Titre d’ordre mixte',
  '05': 'Titre émis après paiement',
  '06': 'Titre récapitulatif avec rôle',
  '07': 'Titre récapitulatif sans rôle',
  '09': 'Titre de majoration',
  10: 'Titre en plusieurs années',
  11: 'Titre de rattachement',
  12: 'Ordre de recette ordonnateur',
  14: 'Produits constatés d’avance',
  15: 'Titre ORMC',
};

export const NAT_PCE = {
  '01': 'Fonctionnement',
  '02': 'Investissement',
  '03': 'Inventaire',
  '04': 'Emprunt',
  '05': 'Régie',
  '06': 'Annulation-Réduction',
  '07': 'Complémentaire',
  '08': 'Réémis',
  '09': 'Annulant un mandat',
  10: 'Annulation du titre de rattachement',
  11: 'Marché',
  18: 'Opération d’ordre liée aux cessions',
};

/** Corail's « Type ASAP PES ». */
export const EDITIONS = {
  '01': '01 — Avis des sommes à payer à éditer',
  '02': '02 — Avis des sommes à payer CPP (Chorus Pro)',
  '04': '04 — Avis des sommes à payer sans traitement DGFiP',
};

/** Options of a <select> from a code list, codes first (« 23 — Communes »), in code order. */
export function codeOptions(list, selected, h) {
  return Object.entries(list)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, label]) => h('option', { value: code, selected: code === selected }, list === EDITIONS ? label : `${code} — ${label}`));
}
