// « Virement reçu »: a supplier calls about a transfer — which invoice(s) it settles, and why its amount differs from
// the net à payer, line by line from Hélios' retours (retenue de garantie, pénalités, oppositions…).
import { get, qs } from '/assets/js/api.mjs';
import { clear, h, inlineNotice } from '/assets/js/dom.mjs';
import { formatDate, formatMoney } from '/assets/js/format.mjs';

export async function render(main) {
  const montant = h('input', { id: 'virement-montant', name: 'montant', inputmode: 'decimal', required: true, placeholder: '1234,56' });
  const date = h('input', { id: 'virement-date', name: 'date', type: 'date', required: true });
  const fournisseur = h('input', { id: 'virement-fournisseur', name: 'fournisseur', inputmode: 'numeric', maxlength: 14, placeholder: 'SIRET (facultatif)' });
  const notice = inlineNotice({ id: 'virement-message' });
  const result = h('div', { id: 'virement-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'actions' },
    h('label', { for: 'virement-montant' }, 'Montant reçu', montant),
    h('label', { for: 'virement-date' }, 'Date du virement', date),
    h('label', { for: 'virement-fournisseur' }, 'Fournisseur', fournisseur),
    h('button', { type: 'submit', class: 'primary' }, 'Expliquer'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await get(`/api/payments/explain${qs({ montant: montant.value, date: date.value, fournisseur: fournisseur.value.trim() })}`);
      notice.show(r.message, r.matches.some((m) => m.exact) ? 'ok' : 'error');
      clear(
        result,
        r.matches.map((m) =>
          h(
            'section',
            { class: 'panel', dataset: { match: m.paidOn } },
            h('div', { class: 'head' }, h('h2', {}, `Paiement d’Hélios du ${formatDate(m.paidOn)} — ${m.supplierName} : ${formatMoney(m.total)}`)),
            h(
              'div',
              { class: 'body' },
              m.invoices.map((i) =>
                h(
                  'div',
                  { dataset: { invoice: i.invoiceNumber } },
                  h('h3', {}, h('a', { href: `#/facture/${i.invoiceId}` }, `Facture ${i.invoiceNumber}`), ` (mandat ${i.mandateNumber})`),
                  h('p', {}, `Net à payer ${formatMoney(i.netAmount)}, payé par ce virement ${formatMoney(i.paidHere)}, écart ${formatMoney(i.gap)}.`),
                  i.lines.length ? h('ul', {}, i.lines.map((l) => h('li', { dataset: { kind: l.kind }, class: l.kind === 'INEXPLIQUE' ? 'error-text' : '' }, l.label))) : null,
                ),
              ),
              m.unexplained ? h('p', { class: 'error-text' }, m.unexplained) : null,
            ),
          ),
        ),
      );
    } catch (err) {
      notice.show(err.message, 'error');
      clear(result);
    }
  });
  clear(
    main,
    h('h1', {}, 'Virement reçu'),
    h('p', { class: 'sub' }, 'Un fournisseur a reçu un virement : retrouvez la ou les factures réglées et l’explication de l’écart avec le net à payer, d’après les retours d’Hélios (date du virement à quelques jours près).'),
    h('section', { class: 'panel' }, h('div', { class: 'body' }, form, notice.el)),
    result,
  );
}
