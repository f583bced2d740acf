// « Facture »: every field of the CPPFacturePivotUnitaire, lines, VAT, the invoice PDF inline, every
// attachment, anomalies, the steps (Corail's « Étapes de la facture »), the Chorus Pro status, the due date.
import { get } from '/assets/js/api.mjs';
import { actionsFor, anomalyLabel, go, statusLabel } from '/assets/js/app.mjs';
import { askReason, askRecycle, confirmAction, runBulk } from '/assets/js/actions.mjs';
import { clear, h, inlineNotice, table } from '/assets/js/dom.mjs';
import { formatDate, formatDateTime, formatDaysLeft, formatDecimal, formatMoney } from '/assets/js/format.mjs';
import { kindLabel, statusBadge } from '/assets/js/invoice-list.mjs';
import { fieldList, figurePairs } from '/assets/js/late-interest.mjs';
import { worksPanel } from '/assets/js/works.mjs';

const ACTION_LABELS = {
  record: 'Facturer',
  'service-done': 'Service fait',
  mandate: 'Mandater',
  reject: 'Rejeter',
  suspend: 'Suspendre',
  recycle: 'Recycler',
  'cancel-rejection': 'Annuler le rejet',
  'end-suspension': 'Lever la suspension',
  payment: 'Mise en paiement',
};

function fields(pairs) {
  return h('dl', { class: 'fields' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function panel(title, ...body) {
  return h('section', { class: 'panel', 'aria-label': title }, h('div', { class: 'head' }, h('h2', {}, title)), h('div', { class: 'body' }, body));
}

export function historyTable(history) {
  return table(
    [
      { label: 'Date', cell: (s) => formatDateTime(s.at ?? s.createdAt), class: 'nowrap' },
      { label: 'Étape', cell: (s) => s.label ?? s.step },
      { label: 'Complément', cell: (s) => complement(s) },
    ],
    [...history].reverse(),
    { caption: 'Étapes de la facture', empty: 'Aucune étape.' },
  );
}

function complement(step) {
  const d = step.details ?? {};
  const bits = [step.actor];
  if (step.fromStatus && step.toStatus && step.fromStatus !== step.toStatus) bits.push(`${statusLabel(step.fromStatus)} → ${statusLabel(step.toStatus)}`);
  if (d.reason) bits.push(`motif : ${d.reason}`);
  if (d.mandateNumber) bits.push(`mandat n° ${d.mandateNumber}`);
  if (d.train) bits.push(`train ${d.train}`);
  if (d.dueDate) bits.push(`nouvelle échéance ${formatDate(d.dueDate)}`);
  if (d.cppStatus) bits.push(`Chorus Pro : ${d.cppStatus}`);
  return bits.filter(Boolean).join(' — ');
}

/** Intérêts moratoires of a paid invoice: the figures, or why there are none (paid in time, rate missing). */
function lateInterestPanel(li) {
  let body;
  if (!li.late) body = h('p', {}, `Payée le ${formatDate(li.paidOn)}, dans le délai global de paiement : aucun intérêt moratoire.`);
  else if (li.item.error) body = h('p', { class: 'error-text' }, li.item.error.message);
  else body = fieldList(figurePairs(li.item));
  return h('section', { class: 'panel', 'aria-label': 'Intérêts moratoires', id: 'late-interest' }, h('div', { class: 'head' }, h('h2', {}, 'Intérêts moratoires')), h('div', { class: 'body' }, body));
}

export async function render(main, [id]) {
  const inv = await get(`/api/invoices/${encodeURIComponent(id)}`);
  const mandate = ['MANDATEE', 'MISE_EN_PAIEMENT'].includes(inv.status) ? await get(`/api/invoices/${inv.id}/mandate`).catch(() => null) : null;
  const lateInterest = inv.status === 'MISE_EN_PAIEMENT' ? await get(`/api/late-interest/invoices/${inv.id}`).catch(() => null) : null;
  // Shown in the page only when the server found a PDF in its bytes (`kind`), whatever the supplier declared: an HTML
  // file named facture.pdf is offered for download, never framed (supplier content is hostile).
  const pdf = inv.attachments.find((a) => a.type === '01' && a.kind === 'pdf') ?? inv.attachments.find((a) => a.kind === 'pdf');
  const viewable = (a) => ['pdf', 'png', 'jpeg', 'text'].includes(a.kind);
  const attachmentUrl = (a, download) => `/api/invoices/${inv.id}/attachments/${a.id}${download ? '?download=1' : ''}`;
  const one = [inv];
  const reload = () => render(main, [id]);
  const works = await worksPanel(inv, panel, fields);

  const notice = inlineNotice({ id: 'invoice-message' });
  const show = async (message, kind) => {
    // The outcome stays readable after the page is drawn again with the invoice's new state.
    await reload();
    main.querySelector('#invoice-message')?.replaceWith(notice.el);
    notice.show(message, kind);
  };
  const actions = actionsFor(inv.status, inv).map((action) =>
    h(
      'button',
      {
        type: 'button',
        class: action === 'mandate' || action === 'payment' ? 'primary' : action === 'reject' ? 'danger' : null,
        dataset: { action },
        onclick: async () => {
          try {
            if (action === 'mandate') return go(`#/mandater/${inv.id}`);
            let message = null;
            const collect = (text, kind) => (message = [text, kind]);
            if (action === 'reject' || action === 'suspend') {
              const input = await askReason(action, 1, inv.recipientSiret);
              if (!input) return;
              await runBulk(input.action, one, { reasonCode: input.reasonCode, complement: input.complement }, collect);
            } else if (action === 'recycle') {
              const input = await askRecycle(1);
              if (!input) return;
              await runBulk('recycle', one, input, collect);
            } else {
              if (action === 'payment' && !(await confirmAction('Mise en paiement', `Mettre en paiement la facture ${inv.number} ?`))) return;
              await runBulk(action, one, {}, collect);
            }
            if (message) await show(...message);
          } catch (err) {
            notice.show(err.message, 'error');
          }
        },
      },
      ACTION_LABELS[action] ?? action,
    ),
  );

  clear(
    main,
    h('p', {}, h('a', { href: '#/flux' }, '‹ Intégration des flux')),
    h('h1', {}, `${kindLabel(inv.type, inv.cadre)} N° ${inv.number} `, statusBadge(inv.status)),
    h('p', { class: 'sub' }, `${inv.supplierName} — reçue le ${formatDate(inv.receptionDate)} — net à payer ${formatMoney(inv.netAmount)}`),
    actions.length ? h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions sur la facture' }, actions) : null,
    inv.unknownRecipient ? h('p', { class: 'hint' }, 'Destinataire inconnu : cette facture peut seulement être recyclée (renvoyée vers Chorus Pro) ou rejetée.') : null,
    notice.el,
    h(
      'div',
      { class: 'grid3' },
      panel(
        'Facture',
        fields([
          ['Type', `${kindLabel(inv.type, inv.cadre)} (${inv.type})`],
          ['Numéro', inv.number],
          ['État', statusLabel(inv.status)],
          ['Statut Chorus Pro', inv.cppStatus ?? '—'],
          ['Identifiant Chorus Pro', inv.cproId],
          ['Cadre de facturation', inv.cadre],
          ['Date de facture', formatDate(inv.issueDate)],
          ['Date de livraison', formatDate(inv.deliveryDate)],
          ['Réception', formatDate(inv.receptionDate)],
          ['Mise à disposition', formatDate(inv.moeDate)],
          ['Échéance (DGP)', inv.dueDate ? `${formatDate(inv.dueDate)} (${formatDaysLeft(inv.daysLeft, inv.status)})` : '—'],
          ['Facture d’origine', inv.originNumber],
          ['Renvoi', inv.renvoi],
          ['N° d’engagement', inv.engagementNumber],
          ['N° de marché', inv.marketNumber],
        ]),
      ),
      panel(
        'Tiers et destinataire',
        fields([
          ['Fournisseur', inv.supplierName],
          ['Identifiant', `${inv.supplierId} (type ${inv.supplierIdType})`],
          ['Pays', inv.supplierCountry],
          ['Mode d’émission', inv.supplierEmissionMode],
          ['Banque', [inv.bankType, inv.bankAccount].filter(Boolean).join(' ')],
          ['Établissement', inv.bankEstablishment],
          ['Titulaire', inv.bankHolder],
          ['Destinataire', [inv.debtorName, inv.debtorId].filter(Boolean).join(' — ')],
          ['Service', [inv.serviceCode, inv.serviceName].filter(Boolean).join(' — ')],
        ]),
      ),
      panel(
        'Montants',
        fields([
          ['Montant HT', formatMoney(inv.amountHt)],
          ['Montant TTC', formatMoney(inv.amountTtc)],
          ['Net à payer', formatMoney(inv.netAmount)],
          ['Devise', inv.currency],
          ['Mode de paiement', [inv.paymentModeCode, inv.paymentModeLabel].filter(Boolean).join(' — ')],
        ]),
        mandate
          ? h(
              'div',
              { id: 'mandate-info' },
              h('h3', {}, `Mandat n° ${mandate.number}`),
              fields([
                ['Objet', mandate.object],
                ['Train', mandate.train],
                ['Montant', formatMoney(mandate.amount)],
                ['Mandaté par', `${mandate.createdBy}, le ${formatDateTime(mandate.createdAt)}`],
              ]),
              table(
                [
                  { label: 'Article', cell: (i) => i.article },
                  { label: 'Fonction', cell: (i) => i.fonction ?? '' },
                  { label: 'Opération', cell: (i) => i.operation ?? '' },
                  { label: 'Service', cell: (i) => i.service ?? '' },
                  { label: 'Montant', cell: (i) => formatMoney(i.amount), num: true },
                  { label: 'N° Eng.', cell: (i) => i.engagement ?? '' },
                ],
                mandate.imputations,
                { caption: 'Imputations comptables' },
              ),
            )
          : null,
      ),
    ),
    lateInterest?.paid ? lateInterestPanel(lateInterest) : null,
    works,
    inv.anomalies.length
      ? panel(
          'Anomalies',
          table(
            [
              { label: 'Anomalie', cell: (a) => h('span', { title: a.code, dataset: { anomaly: a.code } }, anomalyLabel(a.code)) },
              { label: 'Motif', cell: (a) => a.message, class: 'wrap' },
              { label: 'Date', cell: (a) => formatDateTime(a.at), class: 'nowrap' },
            ],
            inv.anomalies,
          ),
        )
      : null,
    panel(
      'Lignes',
      table(
        [
          { label: 'N°', cell: (l) => String(l.numOrdre ?? ''), num: true },
          { label: 'Référence produit', cell: (l) => l.productRef ?? '' },
          { label: 'Quantité', cell: (l) => formatDecimal(l.quantity), num: true },
          { label: 'Prix unitaire HT', cell: (l) => formatMoney(l.unitPrice), num: true },
          { label: 'Taux TVA', cell: (l) => (l.vatRate !== null && l.vatRate !== undefined ? `${formatDecimal(l.vatRate)} %` : ''), num: true },
          { label: 'Montant HT', cell: (l) => formatMoney(l.amountHt), num: true },
        ],
        inv.lines,
        { caption: 'Lignes de la facture', empty: 'Aucune ligne détaillée.' },
      ),
      h('h3', {}, 'TVA'),
      table(
        [
          { label: 'Taux', cell: (v) => `${formatDecimal(v.rate)} %`, num: true },
          { label: 'Base HT', cell: (v) => formatMoney(v.baseHt), num: true },
          { label: 'Montant TVA', cell: (v) => formatMoney(v.amount), num: true },
        ],
        inv.vats,
        { caption: 'Récapitulatif de TVA', empty: 'Pas de récapitulatif de TVA.' },
      ),
    ),
    panel(
      `Pièces jointes (${inv.attachments.length})`,
      table(
        [
          { label: 'Type', cell: (a) => (a.type === '01' ? 'Facture (01)' : `Complémentaire (${a.type})`) },
          { label: 'Nom', cell: (a) => a.originalName ?? a.name },
          { label: 'Format', cell: (a) => a.mimeType },
          { label: 'Taille', cell: (a) => (a.size ? `${Math.ceil(a.size / 1024)} Ko` : ''), num: true },
          {
            label: 'Télécharger',
            cell: (a) =>
              a.readable
                ? [
                    ...(viewable(a) ? [h('a', { href: attachmentUrl(a, false), target: '_blank', rel: 'noopener' }, 'Ouvrir'), ' · '] : []),
                    h('a', { href: attachmentUrl(a, true), download: a.name, dataset: { attachment: a.id } }, 'Télécharger'),
                  ]
                : h('span', { class: 'error-text' }, `Illisible : ${a.error ?? 'contenu absent'}`),
          },
        ],
        inv.attachments,
        { caption: 'Pièces jointes', empty: 'Aucune pièce jointe.' },
      ),
      pdf
        ? h('iframe', { class: 'pdf', id: 'invoice-pdf', title: `Facture ${inv.number} (PDF)`, src: attachmentUrl(pdf, false) })
        : h(
            'p',
            { class: 'muted', id: 'invoice-pdf-missing' },
            inv.attachments.some((a) => a.type === '01' && a.readable)
              ? 'La pièce jointe de la facture n’est pas un PDF : elle n’est pas affichée ici, téléchargez-la pour l’ouvrir.'
              : 'Pas de PDF de facture lisible.',
          ),
    ),
    panel('Étapes de la facture', historyTable(inv.history)),
  );
}
