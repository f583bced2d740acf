// Intérêts moratoires as the server computed them (GET /api/late-interest…): shown, never recomputed here.
import { h } from '/assets/js/dom.mjs';
import { formatDate, formatDecimal, formatMoney } from '/assets/js/format.mjs';

export function percent(value) {
  return `${formatDecimal(value)}\u00a0%`;
}

/** « 45 j × 11,15 % (BCE 3,15 % + 8 points) / 365 sur 3 277,42 € = 45,05 € + indemnité 40,00 € = 85,05 € ». */
export function computationText(f) {
  return `${f.daysLate}\u00a0j de retard (du ${formatDate(f.runsFrom)} au ${formatDate(f.paidOn)}) × ${percent(f.rate)} (BCE ${percent(f.ecbRate)} + 8 points) / 365 sur ${formatMoney(f.base)} = ${formatMoney(f.interest)} + indemnité forfaitaire ${formatMoney(f.indemnity)} = ${formatMoney(f.total)}`;
}

/** The figures of one invoice as label/value pairs (base, days, rate, interest, indemnity, total, deadline). */
export function figurePairs(item) {
  const f = item.figures;
  return [
    ['Échéance (DGP)', formatDate(item.dueDate)],
    ['Payée le', `${formatDate(item.paidOn)}${item.paidOnSource === 'reported' ? ' (date du paiement transmise par Hélios)' : ' (date de la mise en paiement)'}`],
    ['Jours de retard', `${f.daysLate} (du ${formatDate(f.runsFrom)} au ${formatDate(f.paidOn)} inclus)`],
    ['Base (montant payé en retard)', formatMoney(f.base)],
    ['Taux', `${percent(f.rate)} : taux BCE ${percent(f.ecbRate)} au ${formatDate(f.halfYearStart)} + 8 points (art. R2192-31)`],
    ['Source du taux', f.rateSource],
    ['Intérêts moratoires', `${formatMoney(f.interest)} (base × taux × jours / 365, arrondi au centime)`],
    ['Indemnité forfaitaire', `${formatMoney(f.indemnity)} (art. D2192-35)`],
    ['Total à mandater', formatMoney(f.total)],
    ['À payer avant le', `${formatDate(f.payBefore)} (45 jours après le paiement, art. R2192-36)`],
  ];
}

export function fieldList(pairs) {
  return h('dl', { class: 'fields late-interest' }, pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
