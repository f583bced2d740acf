import { DOMAINE_ACK_LABELS } from '@/pes/pes-acquit.reader';
import { CAT_NAT_GRID, CAT_TIERS_LABELS, CIVILITE_LABELS, CIVILITES, NAT_JUR_LABELS } from '@/pes/pes-tiers.checks';
import { EDITION_LABELS, EDITIONS } from '@/pes/pes.types';

/** French text for the budget settings page (talon tab) and the README: what Passerelle does not compute. */
export const TALON_NOTICE =
  "Talon optique (norme HEL) : l'algorithme des clés de contrôle du talon n'est pas public et Passerelle ne calcule aucune clé. " +
  'Les deux lignes sont écrites telles que ce paramétrage les donne (champs {EXERCICE}, {BORDEREAU}, {TITRE}, {MONTANT} en centimes, ' +
  '{SIRET}, {CODCOL}, {CODBUD}, {IDPOST} remplacés ; {TITRE:13} complété de zéros sur 13 chiffres), ou telles que le logiciel comptable ' +
  "les calcule pour chaque titre. En mode de recouvrement « talon », un ASAP à éditer (Edition 01) sans talon fourni n'est pas généré : " +
  'le titre reste en attente avec ce motif.';

/** Code lists and texts the PES pages need (REST `GET /api/pes/meta`), in one place with the rules that use them. */
export function pesMeta() {
  return {
    schema: 'PES V2 v5.17 (DGFiP), règles de la documentation technique v5.19',
    editions: EDITIONS.map((code) => ({ code, label: EDITION_LABELS[code] })),
    civilites: CIVILITES.map((code) => ({ code, label: CIVILITE_LABELS[code] })),
    catTiers: Object.entries(CAT_NAT_GRID).map(([code, natJur]) => ({ code, label: CAT_TIERS_LABELS[code], natJur: [...natJur] })),
    natJur: Object.entries(NAT_JUR_LABELS).map(([code, label]) => ({ code, label })),
    modesRecouvrement: [
      { code: 'TIP', label: 'TIP (ModeRecouvrement 0), 150 000,00 € TTC au plus' },
      { code: 'TALON', label: 'Talon (ModeRecouvrement 1)' },
    ],
    bordereauStates: [
      { code: 'GENERE', label: 'Généré (en attente de l’acquittement Hélios)' },
      { code: 'ACCEPTE', label: 'Accepté par Hélios' },
      { code: 'REJETE', label: 'Rejeté par Hélios' },
    ],
    domainesAck: Object.entries(DOMAINE_ACK_LABELS).map(([code, label]) => ({ code, label })),
    talon: { notice: TALON_NOTICE, placeholders: ['EXERCICE', 'BORDEREAU', 'TITRE', 'MONTANT', 'SIRET', 'CODCOL', 'CODBUD', 'IDPOST'] },
  };
}
