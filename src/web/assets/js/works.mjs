// Works invoices (« factures de travaux »): the label in lists and the invoice page's panel with the MOE/MOA steps
// of the validation cycle. The cadres are those of src/pivot/works-cadres.ts (checked equal by works-cadres.spec.ts).
import { get } from '/assets/js/api.mjs';
import { h, table } from '/assets/js/dom.mjs';
import { formatDate, formatDateTime } from '/assets/js/format.mjs';

export const WORKS_CADRES = ['A4', 'A5', 'A6', 'A7', 'A8', 'A13', 'A14', 'A15', 'A16', 'A17', 'A18', 'A19', 'A20', 'A22', 'A23', 'A24', 'A25'];

export function isWorksCadre(cadre) {
  return WORKS_CADRES.includes(cadre);
}

const WORKS_STATUS = {
  MISE_A_DISPOSITION_MOE: 'mise à disposition de la MOE',
  PRISE_EN_COMPTE_MOE: 'prise en compte par la MOE',
  TRANSMISE_MOA: 'transmise à la MOA',
  A_ASSOCIER_MOA: 'à associer (MOA)',
  A_ASSOCIER_MOE: 'à associer (MOE)',
  REFUSEE_MOA: 'refusée par la MOA',
  MISE_A_DISPOSITION: 'mise à disposition du destinataire',
  SUSPENDUE: 'suspendue',
  A_RECYCLER: 'à recycler',
};

const WORKS_TYPES = { PROJET_DECOMPTE_MENSUEL: 'Projet de décompte mensuel', PROJET_DECOMPTE_FINAL: 'Projet de décompte final', ETAT_ACOMPTE: 'État d’acompte', ETAT_ACOMPTE_VALIDE: 'État d’acompte validé', DECOMPTE_GENERAL_DEFINITIF: 'Décompte général et définitif' };

const party = (p) => (p ? [p.name, p.id].filter(Boolean).join(' — ') : '—');

/** The invoice page's « Facture de travaux » panel (null for other invoices). */
export async function worksPanel(inv, panel, fields) {
  if (!isWorksCadre(inv.cadre)) return null;
  const view = await get(`/api/invoices/${inv.id}/works`).catch(() => null);
  if (!view) return null;
  const w = view.works;
  return panel(
    'Facture de travaux',
    fields([
      ['Cadre de facturation', view.cadre],
      ['Type', w?.worksType ? (WORKS_TYPES[w.worksType] ?? w.worksType) : null],
      ['Statut côté travaux', w?.worksStatus ? `${WORKS_STATUS[w.worksStatus] ?? w.worksStatus}${w.statusAt ? ` (${formatDateTime(w.statusAt)})` : ''}` : null],
      ['Maîtrise d’œuvre (MOE)', party(w?.moe)],
      ['Maîtrise d’ouvrage (MOA)', party(w?.moa)],
      ['Vue par la structure comme', w?.roles?.length ? w.roles.join(', ') : null],
    ]),
    table(
      [
        { label: 'Date', cell: (s) => formatDate(s.date), class: 'nowrap' },
        { label: 'Étape', cell: (s) => h('span', { title: `code ${s.code}` }, s.label ?? s.code) },
        { label: 'Acteur', cell: (s) => s.actor ?? s.actorId ?? '' },
        { label: 'Rôle', cell: (s) => (s.role ? h('span', { class: 'badge', dataset: { worksRole: s.role } }, s.role) : '') },
        { label: 'Commentaire', cell: (s) => s.comment ?? '', class: 'wrap' },
      ],
      view.steps,
      { caption: 'Étapes MOE / MOA (cycle de validation)', empty: 'Aucune étape de validation dans le flux.' },
    ),
  );
}
