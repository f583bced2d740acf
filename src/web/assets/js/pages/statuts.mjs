// « Retour des statuts »: statuses owed to Chorus Pro (pending, failed), Corail's « Génération du fichier de
// transfert des statuts » (all or one status, all or one invoice), downloads; sending now in API mode.
import { get, post, qs } from '/assets/js/api.mjs';
import { clear, downloadLink, h, inlineNotice, table } from '/assets/js/dom.mjs';
import { formatDateTime } from '/assets/js/format.mjs';
import { statusLabel } from '/assets/js/app.mjs';

// Chorus Pro statuses sent back are named like the internal ones: one label table, the server's.
const label = statusLabel;

export async function render(main) {
  const pendingBox = h('div');
  const failedBox = h('div');
  const filesBox = h('div');
  const resultBox = h('div', { 'aria-live': 'polite' });
  // Messages beside what they are about: the generation and the push, and the failed statuses.
  const generateNotice = inlineNotice({ id: 'status-generate-message' });
  const failedNotice = inlineNotice({ id: 'status-failed-message' });
  const statusSelect = h('select', { id: 'one-status', 'aria-label': 'Statut' });
  const invoiceSelect = h('select', { id: 'one-invoice', 'aria-label': 'Facture' });

  const radio = (name, value, text, checked) => h('label', { class: 'inline' }, h('input', { type: 'radio', name, value, checked }), text);

  const loadOutbox = async () => {
    const [p, f] = await Promise.all([get(`/api/status-outbox${qs({ state: 'pending', limit: 1000 })}`), get(`/api/status-outbox${qs({ state: 'failed', limit: 1000 })}`)]);
    const cols = [
      { label: 'Facture', cell: (r) => h('a', { href: `#/facture/${r.invoiceId}` }, r.invoiceNumber) },
      { label: 'Statut à transmettre', cell: (r) => label(r.targetStatus) },
      { label: 'Depuis le', cell: (r) => formatDateTime(r.createdAt), class: 'nowrap' },
      { label: 'Tentatives', cell: (r) => String(r.attempts), num: true },
    ];
    clear(pendingBox, table(cols, p, { caption: 'Statuts en attente', empty: 'Aucun statut en attente.' }));
    clear(
      failedBox,
      table(
        [
          ...cols,
          { label: 'Erreur', cell: (r) => r.lastError ?? r.errorCode ?? '' },
          {
            label: 'Actions',
            cell: (r) => [
              h('button', { type: 'button', onclick: () => resolveRow(r, 'retry') }, 'Renvoyer'),
              ' ',
              h('button', { type: 'button', class: 'danger', onclick: () => resolveRow(r, 'abandon') }, 'Abandonner (saisi sur le portail)'),
            ],
          },
        ],
        f,
        { caption: 'Statuts en erreur', empty: 'Aucun statut en erreur.' },
      ),
    );
    const statuses = [...new Set(p.map((r) => r.targetStatus))];
    statusSelect.replaceChildren(...statuses.map((s) => h('option', { value: s }, label(s))));
    const invoices = [...new Map(p.map((r) => [r.invoiceId, r.invoiceNumber])).entries()];
    invoiceSelect.replaceChildren(...invoices.map(([id, n]) => h('option', { value: id }, n)));
  };

  const resolveRow = async (row, action) => {
    try {
      await post(`/api/status-outbox/${row.id}/${action}`);
      failedNotice.show(action === 'retry' ? `Le statut de ${row.invoiceNumber} sera renvoyé.` : `Statut de ${row.invoiceNumber} abandonné.`);
      await loadOutbox();
    } catch (err) {
      failedNotice.show(err.message, 'error');
    }
  };

  const loadFiles = async () => {
    const files = await get(`/api/status-flows${qs({ direction: 'out', limit: 100 })}`);
    clear(
      filesBox,
      table(
        [
          { label: 'Généré le', cell: (f) => formatDateTime(f.createdAt), class: 'nowrap' },
          { label: 'Fichier', cell: (f) => f.fileName },
          { label: 'IdFlx', cell: (f) => f.idFlx ?? '' },
          { label: 'Statuts', cell: (f) => String(f.statusCount), num: true },
          { label: 'Par', cell: (f) => f.createdBy },
          { label: 'Télécharger', cell: (f) => (f.storageKey !== null ? downloadLink(`/api/status-flows/${f.id}/download`, 'Télécharger', { dataset: { statusFile: f.fileName } }) : '—') },
        ],
        files,
        { caption: 'Fichiers de statuts générés', empty: 'Aucun fichier généré.' },
      ),
    );
  };

  const form = h(
    'form',
    { id: 'status-generate', 'aria-label': 'Génération du fichier de transfert des statuts' },
    h('fieldset', {}, h('legend', {}, 'Statut à transférer'), radio('which-status', 'all', 'Tous les statuts', true), radio('which-status', 'one', 'Un statut :', false), statusSelect),
    h('fieldset', {}, h('legend', {}, 'Facture à transférer'), radio('which-invoice', 'all', 'Toutes les factures', true), radio('which-invoice', 'one', 'Une facture :', false), invoiceSelect),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Générer le fichier de statuts')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const oneStatus = form.elements['which-status'].value === 'one';
    const oneInvoice = form.elements['which-invoice'].value === 'one';
    try {
      const result = await post('/api/status-flows', {
        status: oneStatus ? statusSelect.value || undefined : undefined,
        invoice: oneInvoice ? invoiceSelect.value || undefined : undefined,
      });
      clear(
        resultBox,
        result.flows.length
          ? h(
              'div',
              { class: 'notice', role: 'status' },
              `${result.statuses} statut(s) dans ${result.flows.length} fichier(s) : `,
              result.flows.map((f, k) => [k ? ', ' : '', downloadLink(`/api/status-flows/${f.id}/download`, f.fileName, { dataset: { generated: f.fileName } })]),
              '. Déposez chaque fichier sur le portail Chorus Pro.',
            )
          : h('p', { class: 'muted' }, 'Aucun statut à transférer pour ces critères (structures en mode fichier).'),
        result.failed.length ? h('p', { class: 'error-text' }, `${result.failed.length} statut(s) impossibles à écrire : ${result.failed.map((f) => f.message).join(' ; ')}`) : null,
      );
      await Promise.all([loadOutbox(), loadFiles()]);
    } catch (err) {
      generateNotice.show(err.message, 'error');
    }
  });

  const push = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        try {
          const s = await post('/api/status-outbox/push');
          generateNotice.show(`Envoi à Chorus Pro : ${s.sent} envoyé(s), ${s.alreadyThere} déjà connu(s), ${s.failed} en erreur, ${s.pending} encore en attente.`, s.failed ? 'error' : 'ok');
          await loadOutbox();
        } catch (err) {
          generateNotice.show(err.message, 'error');
        }
      },
    },
    'Envoyer maintenant (mode API)',
  );

  const panel = (title, ...body) => h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, title)), h('div', { class: 'body' }, body));
  clear(
    main,
    h('h1', {}, 'Retour des statuts vers Chorus Pro'),
    h('p', { class: 'sub' }, 'Structures en mode API : les statuts partent seuls (ou tout de suite avec « Envoyer maintenant »). En mode portail : générez le fichier de statuts et déposez-le sur Chorus Pro.'),
    panel('Génération du fichier de transfert des statuts des factures dématérialisées', form, generateNotice.el, resultBox, h('div', { class: 'actions' }, push)),
    h('div', { class: 'cols' }, panel('Statuts en attente', pendingBox), panel('Statuts en erreur', failedNotice.el, failedBox)),
    panel('Fichiers générés', filesBox),
  );
  await Promise.all([loadOutbox(), loadFiles()]);
}
