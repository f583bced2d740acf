// « Mandater » (Corail's mandate screen): tiers, réception, objet, the imputations comptables (add, remove,
// total checked live against the net à payer), the train; then the mandate's number.
import { get, post } from '/assets/js/api.mjs';
import { actionsFor, go, session, statusLabel } from '/assets/js/app.mjs';
import { runBulk } from '/assets/js/actions.mjs';
import { clear, h, notify } from '/assets/js/dom.mjs';
import { centsToDecimal, decimalToCents, formatDate, formatMoney, parseAmountToCents } from '/assets/js/format.mjs';
import { kindLabel } from '/assets/js/invoice-list.mjs';

const TRAIN_LABELS = { normal: 'Normal', attente: 'Attente (factures déjà prélevées, à régulariser)' };

function trainSelect() {
  return h(
    'select',
    { id: 'mandate-train' },
    h('option', { value: '' }, 'Selon le cadre de facturation (attente si déjà payée)'),
    (session.meta?.trains ?? ['normal', 'attente']).map((t) => h('option', { value: t }, TRAIN_LABELS[t] ?? t)),
  );
}

export async function render(main, [ids]) {
  const list = String(ids ?? '').split(',').filter(Boolean);
  if (list.length > 1) return renderBulk(main, list);
  const inv = await get(`/api/invoices/${encodeURIComponent(list[0])}`);
  if (!actionsFor(inv.status, inv).includes('mandate')) return refused(main, [inv]);
  const net = decimalToCents(inv.netAmount);
  const tbody = h('tbody');
  const total = h('output', { id: 'imputations-total', 'aria-live': 'polite' });
  const check = h('p', { id: 'imputations-check', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'mandate-submit' }, 'Valider le mandat');
  const train = trainSelect();
  const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
  let seq = 0;

  const input = (name, label, attrs = {}) => h('input', { type: 'text', name, 'aria-label': label, ...attrs });
  const addRow = (values = {}) => {
    seq += 1;
    const n = seq;
    const row = h(
      'tr',
      { dataset: { row: String(n) } },
      h('td', {}, input('article', `Article (nature), imputation ${n}`, { required: true, size: 8, value: values.article ?? '' })),
      h('td', {}, input('fonction', `Fonction, imputation ${n}`, { size: 6 })),
      h('td', {}, input('operation', `Opération, imputation ${n}`, { size: 6 })),
      h('td', {}, input('service', `Service, imputation ${n}`, { size: 10, value: values.service ?? inv.serviceCode ?? '' })),
      h('td', { class: 'num' }, input('amount', `Montant, imputation ${n}`, { size: 12, inputmode: 'decimal', value: values.amount ?? '' })),
      h('td', {}, input('engagement', `N° d'engagement, imputation ${n}`, { size: 10, value: values.engagement ?? inv.engagementNumber ?? '' })),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => (row.remove(), update()), 'aria-label': `Enlever l'imputation ${n}` }, 'Enlever')),
    );
    tbody.append(row);
    update();
    row.querySelector('input').focus();
  };

  const rows = () =>
    [...tbody.querySelectorAll('tr')].map((tr) => Object.fromEntries([...tr.querySelectorAll('input')].map((i) => [i.name, i.value.trim()])));

  const update = () => {
    const all = rows();
    let sum = 0n;
    let invalid = 0;
    for (const r of all) {
      if (!r.amount && all.length === 1) {
        sum += net; // a single imputation without amount takes the whole net à payer
        continue;
      }
      const c = parseAmountToCents(r.amount);
      if (c === null) invalid += 1;
      else sum += c;
    }
    total.textContent = formatMoney(centsToDecimal(sum));
    const diff = net - sum;
    if (!all.length) {
      check.textContent = 'Ajoutez au moins une imputation.';
      check.className = 'total-ko';
    } else if (invalid) {
      check.textContent = `${invalid} montant(s) illisible(s) : en euros, deux décimales au plus (ex. 1 494,60).`;
      check.className = 'total-ko';
    } else if (diff !== 0n) {
      check.textContent = `Écart avec le net à payer : ${formatMoney(centsToDecimal(diff))} — le total doit égaler ${formatMoney(inv.netAmount)}.`;
      check.className = 'total-ko';
    } else {
      check.textContent = 'Le total des imputations égale le net à payer.';
      check.className = 'total-ok';
    }
    submit.disabled = !all.length || invalid > 0 || diff !== 0n;
  };
  tbody.addEventListener('input', update);

  const form = h(
    'form',
    { id: 'mandate-form', 'aria-labelledby': 'imputations-title' },
    h('h2', { id: 'imputations-title' }, 'Imputations comptables'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ['Article', 'Fonction', 'Opération', 'Service', 'Montant (€)', 'N° Eng.', ''].map((l) => h('th', { scope: 'col' }, l)))),
        tbody,
        h('tfoot', {}, h('tr', {}, h('th', { colspan: 4, class: 'num' }, 'Total :'), h('td', { class: 'num' }, total), h('td', { colspan: 2 }, `Net à payer : ${formatMoney(inv.netAmount)}`))),
      ),
    ),
    check,
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'add-imputation', onclick: () => addRow() }, 'Ajouter imputation')),
    h('label', { for: 'mandate-train', class: 'narrow' }, 'Train', train),
    error,
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: () => go(`#/facture/${inv.id}`) }, 'Annuler')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      const all = rows();
      const imputations = all.map((r) => ({
        article: r.article,
        fonction: r.fonction || undefined,
        operation: r.operation || undefined,
        service: r.service || undefined,
        engagement: r.engagement || undefined,
        amount: r.amount ? centsToDecimal(parseAmountToCents(r.amount)) : undefined,
      }));
      const outcome = await post(`/api/invoices/${inv.id}/mandate`, { imputations, train: train.value || undefined });
      clear(
        main,
        h('h1', {}, 'Mandat créé'),
        h('p', { class: 'notice', id: 'mandate-number', role: 'status' }, `Mandat n° ${outcome.mandateNumber} créé pour la facture ${inv.number} (${formatMoney(inv.netAmount)}).`),
        h('div', { class: 'actions' }, h('a', { href: `#/facture/${inv.id}` }, 'Voir la facture et son mandat'), ' · ', h('a', { href: '#/flux' }, 'Retour à l’intégration des flux')),
      );
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      update();
    }
  });

  clear(
    main,
    h('p', {}, h('a', { href: `#/facture/${inv.id}` }, `‹ ${kindLabel(inv.type)} N° ${inv.number}`)),
    h('h1', {}, 'Mandater'),
    h(
      'section',
      { class: 'panel', 'aria-label': 'Description' },
      h('div', { class: 'head' }, h('h2', {}, 'Description')),
      h(
        'div',
        { class: 'body' },
        h(
          'dl',
          { class: 'fields' },
          h('dt', {}, 'Tiers'), h('dd', {}, `${inv.supplierName} (${inv.supplierId})`),
          h('dt', {}, 'Réception'), h('dd', {}, formatDate(inv.receptionDate)),
          h('dt', {}, 'IBAN'), h('dd', {}, inv.bankAccount ?? '—'),
          h('dt', {}, 'Pièces'), h('dd', {}, `${kindLabel(inv.type)} N° ${inv.number} du ${formatDate(inv.issueDate)} reçue le ${formatDate(inv.receptionDate)} — ${inv.attachments.length} pièce(s) jointe(s) au mandat`),
          h('dt', {}, 'Net à payer'), h('dd', {}, formatMoney(inv.netAmount)),
        ),
      ),
    ),
    h('section', { class: 'panel' }, h('div', { class: 'body' }, form)),
  );
  addRow();
}

/** Several invoices at once: one imputation each, for its whole net à payer (the API's bulk mandate). */
async function renderBulk(main, ids) {
  const invoices = await Promise.all(ids.map((id) => get(`/api/invoices/${encodeURIComponent(id)}`)));
  if (invoices.some((i) => !actionsFor(i.status, i).includes('mandate'))) return refused(main, invoices.filter((i) => !actionsFor(i.status, i).includes('mandate')));
  const field = (name, label, attrs = {}) => h('label', { for: `bulk-${name}` }, label, h('input', { type: 'text', id: `bulk-${name}`, name, ...attrs }));
  const train = trainSelect();
  const form = h(
    'form',
    { class: 'filters' },
    field('article', 'Article (nature)', { required: true }),
    field('fonction', 'Fonction'),
    field('operation', 'Opération'),
    field('service', 'Service'),
    h('label', { for: 'mandate-train' }, 'Train', train),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, `Mandater les ${invoices.length} factures`)),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements[n].value.trim() || undefined;
    try {
      await runBulk('mandate', invoices, {
        imputations: [{ article: v('article'), fonction: v('fonction'), operation: v('operation'), service: v('service') }],
        train: train.value || undefined,
      });
      go('#/flux');
    } catch (err) {
      notify(err.message, 'error');
    }
  });
  clear(
    main,
    h('p', {}, h('a', { href: '#/flux' }, '‹ Intégration des flux')),
    h('h1', {}, `Mandater ${invoices.length} factures`),
    h('p', { class: 'sub' }, 'Une imputation par facture, pour son net à payer. Pour ventiler une facture sur plusieurs imputations, mandatez-la seule.'),
    h('ul', {}, invoices.map((i) => h('li', {}, `${i.number} — ${i.supplierName} — ${formatMoney(i.netAmount)}`))),
    h('section', { class: 'panel' }, h('div', { class: 'body' }, form)),
  );
}

/** Reached by its address for an invoice the server would not let this user mandate: say why, offer no form. */
function refused(main, invoices) {
  const role = session.me?.role;
  clear(
    main,
    h('h1', {}, 'Mandater'),
    h(
      'p',
      { class: 'error-text', role: 'alert', id: 'mandate-refused' },
      !actionsFor('A_TRAITER').includes('mandate')
        ? `Votre rôle (${role}) ne permet pas de mandater une facture.`
        : `Impossible de mandater : ${invoices.map((i) => `${i.number} (${i.unknownRecipient ? 'destinataire inconnu' : `état « ${statusLabel(i.status)} »`})`).join(', ')}.`,
    ),
    h('p', {}, h('a', { href: '#/flux' }, '‹ Intégration des flux')),
  );
}
