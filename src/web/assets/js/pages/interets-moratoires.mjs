// « Intérêts moratoires à mandater »: invoices of the collectivité en cours paid after their due date, with the
// computation the server made (base, days, rate, interest, €40 indemnity), and the ECB rate table beside.
import { get } from '/assets/js/api.mjs';
import { currentStructure } from '/assets/js/app.mjs';
import { clear, h, table } from '/assets/js/dom.mjs';
import { formatDate, formatMoney } from '/assets/js/format.mjs';
import { computationText, percent } from '/assets/js/late-interest.mjs';

export async function render(main) {
  const structure = currentStructure();
  const query = structure ? `?structure=${encodeURIComponent(structure.siret)}` : '';
  const [list, rates] = await Promise.all([get(`/api/late-interest${query}`), get('/api/late-interest/rates')]);
  const items = table(
    [
      { label: 'Facture', cell: (i) => h('a', { href: `#/facture/${i.invoiceId}` }, i.number), class: 'nowrap' },
      { label: 'Fournisseur', cell: (i) => i.supplierName, class: 'wrap' },
      { label: 'Échéance', cell: (i) => formatDate(i.dueDate), class: 'nowrap' },
      { label: 'Payée le', cell: (i) => formatDate(i.paidOn), class: 'nowrap' },
      { label: 'Jours', cell: (i) => (i.figures ? String(i.figures.daysLate) : ''), num: true },
      { label: 'Base', cell: (i) => (i.figures ? formatMoney(i.figures.base) : ''), num: true },
      { label: 'Taux', cell: (i) => (i.figures ? percent(i.figures.rate) : ''), num: true },
      { label: 'Intérêts', cell: (i) => (i.figures ? formatMoney(i.figures.interest) : ''), num: true },
      { label: 'Indemnité', cell: (i) => (i.figures ? formatMoney(i.figures.indemnity) : ''), num: true },
      { label: 'Total', cell: (i) => (i.figures ? formatMoney(i.figures.total) : ''), num: true },
      { label: 'À payer avant le', cell: (i) => (i.figures ? formatDate(i.figures.payBefore) : ''), class: 'nowrap' },
      { label: 'Calcul', cell: (i) => (i.figures ? computationText(i.figures) : h('span', { class: 'error-text' }, i.error?.message ?? '')), class: 'wrap' },
    ],
    list.items,
    { caption: 'Intérêts moratoires à mandater', empty: 'Aucune facture payée après son échéance.', rowAttrs: (i) => ({ dataset: { invoice: i.invoiceId } }) },
  );
  const rateTable = table(
    [
      { label: 'Semestre', cell: (r) => r.label },
      { label: 'Taux BCE au premier jour', cell: (r) => percent(r.ecbRate), num: true },
      { label: 'Intérêts moratoires', cell: (r) => percent(r.lateInterestRate), num: true },
      { label: 'Source', cell: (r) => r.source, class: 'wrap source' },
    ],
    [...rates].reverse(),
    { caption: 'Taux de la BCE par semestre' },
  );
  clear(
    main,
    h('h1', {}, 'Intérêts moratoires à mandater'),
    h(
      'p',
      { class: 'sub' },
      `${structure ? structure.name : 'Toutes vos structures'} : factures payées après l’échéance du délai global de paiement. Intérêts dus de plein droit (art. L2192-13) au taux de la BCE du semestre où ils ont commencé à courir + 8 points (art. R2192-31), plus l’indemnité forfaitaire de 40 € (art. D2192-35), à payer dans les 45 jours (art. R2192-36).`,
    ),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'head' }, h('h2', {}, 'Factures payées en retard')),
      h(
        'div',
        { class: 'body' },
        h('p', { id: 'late-interest-total' }, `Total à mandater : ${formatMoney(list.total)}${list.inError ? ` — ${list.inError} facture(s) sans calcul (taux manquant)` : ''}`),
        items,
      ),
    ),
    h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, 'Taux')), h('div', { class: 'body' }, rateTable)),
  );
}
