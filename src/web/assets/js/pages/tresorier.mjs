// « Trésorier »: mandated invoices to move to « mise en paiement », one or a selection.
import { runBulk, confirmAction } from '/assets/js/actions.mjs';
import { actionsFor } from '/assets/js/app.mjs';
import { clear, h, inlineNotice } from '/assets/js/dom.mjs';
import { COLUMNS, invoiceList } from '/assets/js/invoice-list.mjs';

export async function render(main) {
  const canPay = actionsFor('MANDATEE').includes('payment');
  const box = h('div');
  const notice = inlineNotice({ id: 'tresorier-message' });
  const notify = notice.show;
  const pay = async (rows) => {
    const total = rows.reduce((acc, r) => acc + ` ${r.number}`, '').trim();
    if (!(await confirmAction('Mise en paiement', `Mettre en paiement ${rows.length} facture(s) : ${total} ?`, 'Mettre en paiement'))) return;
    await runBulk('payment', rows, {}, notice.show);
    await list.load();
  };
  const list = invoiceList(box, {
    params: () => ({ status: 'MANDATEE', sort: 'due_asc' }),
    selectable: canPay,
    caption: 'Factures mandatées',
    empty: 'Aucune facture mandatée en attente de paiement.',
    columns: [
      COLUMNS.number,
      COLUMNS.supplier,
      COLUMNS.reception,
      COLUMNS.net,
      COLUMNS.days,
      COLUMNS.cpp,
      ...(canPay ? [{ label: 'Action', cell: (r) => h('button', { type: 'button', dataset: { pay: r.number }, onclick: () => pay([r]).catch((e) => notify(e.message, 'error')) }, 'Mettre en paiement') }] : []),
    ],
  });
  const bulk = canPay
    ? h(
        'button',
        {
          type: 'button',
          class: 'primary',
          id: 'pay-selection',
          onclick: () => {
            const rows = [...list.selection.values()];
            if (!rows.length) return notify('Sélectionnez au moins une facture.', 'error');
            pay(rows).catch((e) => notify(e.message, 'error'));
          },
        },
        'Mettre en paiement la sélection',
      )
    : null;
  const summary = h('span', { class: 'muted', 'aria-live': 'polite' });
  box.addEventListener('selection', () => {
    const rows = [...list.selection.values()];
    summary.textContent = rows.length ? `${rows.length} sélectionnée(s)` : '';
  });
  clear(
    main,
    h('h1', {}, 'Trésorier — mise en paiement'),
    h('p', { class: 'sub' }, 'Factures mandatées par l’ordonnateur, de l’échéance la plus proche à la plus lointaine. La mise en paiement est transmise à Chorus Pro, sauf pour une structure dont le comptable est sous Hélios (Hélios l’indique lui-même). ', h('a', { href: '#/virement', id: 'link-virement' }, 'Expliquer un virement reçu')),
    h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, 'Factures mandatées')), h('div', { class: 'body' }, h('div', { class: 'actions' }, bulk, summary), notice.el, box)),
  );
  await list.load();
}
