// Code lists of the PES pages: the server's (GET /api/pes/meta), and the labels of TypPce / NatPce as the DGFiP
// documentation names them (PES_RecetteAller), display only — the server checks every value (src/pes/pes.types.ts).

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

/**
 * The code lists the server checks with (GET /api/pes/meta: Edition, civilités, CatTiers with the NatJur each allows
 * — annexe 3 —, modes de recouvrement, talon notice), loaded once.
 */
let meta = null;
export async function pesMeta(get) {
  meta ??= await get('/api/pes/meta');
  return meta;
}

/** Options of a <select> from [{ code, label }], « 23 — Communes » (or the label alone when it starts with the code). */
export function metaOptions(list, selected, h) {
  return list.map(({ code, label }) => h('option', { value: code, selected: code === selected }, label.startsWith(code) ? label : `${code} — ${label}`));
}

/** Options from a { code: label } table, in code order. */
export function codeOptions(list, selected, h) {
  return Object.entries(list)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, label]) => h('option', { value: code, selected: code === selected }, `${code} — ${label}`));
}

/** NatJur allowed for a CatTiers (annexe 3): the nature select follows the category chosen. */
export function bindNatJur(categorySelect, natSelect, meta, h) {
  const fill = () => {
    const keep = natSelect.value;
    const allowed = meta.catTiers.find((c) => c.code === categorySelect.value)?.natJur ?? meta.natJur.map((n) => n.code);
    natSelect.replaceChildren(...metaOptions(meta.natJur.filter((n) => allowed.includes(n.code)), allowed.includes(keep) ? keep : allowed[0], h));
  };
  categorySelect.addEventListener('change', fill);
  fill();
}
