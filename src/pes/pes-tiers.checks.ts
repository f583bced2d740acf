import type { Issue } from '@/pes/pes.types';

// Tiers rules shared by every PES domain (recette titres and their ASAP, dépense mandats): the CatTiers/NatJur
// pairs of annexe 3 of the DGFiP documentation (« grille correspondance catégorie de tiers et nature juridique »,
// « identiques à la dépense »; any other pair: « rejet du bordereau »), the closed list of civilités, and the
// person-only fields (Civilite and Prenom « obligatoire si Cat du tiers 01 », forbidden otherwise).

/**
 * Annexe 3: the NatJur allowed for each CatTiers. The grid's category numbering is the one Hélios applies (a
 * company is 50/03, a Caisse d'allocations familiales 63/11); where the TCatTiers labels of the DosTech code
 * list disagree with it, the grid wins because it is what the guichet checks.
 */
export const CAT_NAT_GRID: Readonly<Record<string, readonly string[]>> = {
  '01': ['01', '02'],
  '20': ['07', '08'],
  '21': ['09'],
  '22': ['09'],
  '23': ['09'],
  '24': ['09'],
  '25': ['09'],
  '26': ['09'],
  '27': ['09'],
  '28': ['08'],
  '29': ['10'],
  '50': ['03', '06'],
  '60': ['04'],
  '61': ['04'],
  '62': ['04'],
  '63': ['04', '11'],
  '64': ['04'],
  '65': ['04', '05'],
  '70': ['05'],
  '71': ['05'],
  '72': ['04'],
  '73': ['05'],
  '74': ['04'],
};

export const CAT_TIERS_LABELS: Readonly<Record<string, string>> = {
  '01': 'Personnes physiques',
  '20': 'État et établissements publics nationaux',
  '21': 'Régions',
  '22': 'Départements',
  '23': 'Communes',
  '24': 'Groupements de collectivités',
  '25': 'Caisses des écoles',
  '26': 'CCAS',
  '27': 'Établissements publics de santé',
  '28': 'École nationale de la santé publique',
  '29': 'Autres établissements publics et organismes internationaux',
  '50': 'Personnes morales de droit privé',
  '60': 'Caisses de sécurité sociale (régime général)',
  '61': 'Caisses de sécurité sociale (régime agricole)',
  '62': 'Sécurité sociale des travailleurs non salariés',
  '63': 'Autres régimes obligatoires de sécurité sociale',
  '64': 'Mutuelles et organismes d’assurance',
  '65': 'Divers autres tiers payants',
  '70': 'CNRACL',
  '71': 'IRCANTEC',
  '72': 'ASSEDIC',
  '73': 'Caisses mutualistes de retraite complémentaire',
  '74': 'Autres organismes sociaux',
};

export const NAT_JUR_LABELS: Readonly<Record<string, string>> = {
  '01': 'Particuliers',
  '02': 'Artisan / Commerçant / Agriculteur',
  '03': 'Société',
  '04': 'CAM ou caisse appliquant les mêmes règles',
  '05': 'Caisse complémentaire',
  '06': 'Association',
  '07': 'État ou organisme d’État',
  '08': 'Établissement public national',
  '09': 'Collectivité territoriale / EPL / EPS',
  '10': 'État étranger / ambassade',
  '11': 'CAF',
};

/** « Liste des civilités précisée et arrêtée, toute autre valeur aboutit à rejet du bordereau » (Mademoiselle n'existe plus). */
export const CIVILITES = ['M', 'MME'] as const;
export type Civilite = (typeof CIVILITES)[number];
export const CIVILITE_LABELS: Record<Civilite, string> = { M: 'Monsieur', MME: 'Madame' };

export const CAT_TIERS = Object.keys(CAT_NAT_GRID) as [string, ...string[]];
export const NAT_JUR = Object.keys(NAT_JUR_LABELS) as [string, ...string[]];

export interface TiersFields {
  category: string;
  legalNature: string;
  civility?: string | null;
  firstName?: string | null;
}

/** Entry rules of a tiers; `who` names it in the messages (« Débiteur », « Collectivité »). */
export function checkTiers(t: TiersFields, who: string, prefix = 'DEBTOR'): Issue[] {
  const issues: Issue[] = [];
  const allowed = CAT_NAT_GRID[t.category];
  if (allowed && !allowed.includes(t.legalNature)) {
    issues.push({
      code: `${prefix}_CAT_NAT_PAIR`,
      message: `${who} : la nature juridique ${t.legalNature} (${NAT_JUR_LABELS[t.legalNature] ?? 'inconnue'}) ne va pas avec la catégorie ${t.category} (${CAT_TIERS_LABELS[t.category]}) ; attendu : ${allowed.map((n) => `${n} (${NAT_JUR_LABELS[n]})`).join(' ou ')} (annexe 3 de la documentation PES)`,
    });
  }
  const person = t.category === '01';
  if (person) {
    if (!t.civility) issues.push({ code: `${prefix}_CIVILITY_REQUIRED`, message: `${who} personne physique (catégorie 01) : la civilité (M ou MME) est obligatoire` });
    if (!t.firstName) issues.push({ code: `${prefix}_FIRST_NAME_REQUIRED`, message: `${who} personne physique (catégorie 01) : le prénom est obligatoire` });
  } else if (t.civility || t.firstName) {
    issues.push({ code: `${prefix}_ENTITY_PERSON_FIELDS`, message: `${who} personne morale (catégorie ${t.category}) : ni civilité ni prénom (réservés à la catégorie 01)` });
  }
  return issues;
}
