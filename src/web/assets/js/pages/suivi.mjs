// « Suivi démat », onglet « Facture démat » (Corail): every received file (état, date, nom, source, motif, the file
// itself), rejected ones included → their invoices → the selected invoice's steps; and the daily anomaly report.
import { get, qs } from '/assets/js/api.mjs';
import { anomalyLabel, session } from '/assets/js/app.mjs';
import { clear, downloadLink, h, notify, table } from '/assets/js/dom.mjs';
import { formatDate, formatDateTime, formatMoney } from '/assets/js/format.mjs';
import { numberLink, statusBadge } from '/assets/js/invoice-list.mjs';
import { historyTable } from '/assets/js/pages/invoice.mjs';

const FLOW_STATES = { integrated: ['Intégré', 'ok'], rejected: ['Rejeté', 'ko'], partial: ['Partiel', 'A_TRAITER'], processing: ['En cours', ''], received: ['Reçu', ''] };
const SOURCES = { cli: 'Dépôt manuel', inbox: 'Répertoire', api: 'Chorus Pro (API)', upload: 'Téléversement', pull: 'Chorus Pro (API)' };

function flowState(status) {
  const [label, cls] = FLOW_STATES[status] ?? [status, ''];
  return h('span', { class: `badge ${cls}` }, label);
}

/** The file as received (kept compressed under its SHA-256), always as a download. */
function rawLink(flow, label) {
  return downloadLink(`/api/flows/${flow.id}/raw`, label, { dataset: { rawFlow: flow.fileName }, title: `${flow.fileName} (SHA-256 ${flow.sha256})` });
}

function todayParis() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export async function render(main) {
  const flowsBox = h('div');
  const invoicesBox = h('div', {}, h('p', { class: 'muted' }, 'Choisissez un flux.'));
  const stepsBox = h('div', {}, h('p', { class: 'muted' }, 'Choisissez une facture.'));
  const reportBox = h('div');
  const before = [];
  let flows = [];

  const showSteps = async (inv, tr) => {
    for (const r of tr.parentElement.children) r.classList.remove('current');
    tr.classList.add('current');
    const history = await get(`/api/invoices/${inv.id}/history`);
    clear(stepsBox, h('h3', {}, `Étapes de la facture ${inv.number}`), historyTable(history));
  };

  const showInvoices = async (flow, tr) => {
    for (const r of tr.parentElement.children) r.classList.remove('current');
    tr.classList.add('current');
    clear(stepsBox, h('p', { class: 'muted' }, 'Choisissez une facture.'));
    if (flow.status === 'rejected') {
      // Nothing of a rejected file was imported: its reason and the file as received.
      clear(
        invoicesBox,
        h('h3', {}, `Flux ${flow.fileName}`),
        h('p', { class: 'error-text', id: 'flow-reason' }, `Rejeté : ${flow.errorMessage ?? 'flux illisible'}`),
        h('p', {}, rawLink(flow, 'Télécharger le fichier reçu')),
      );
      return;
    }
    const page = await get(`/api/invoices${qs({ flow: flow.id, limit: 500, sort: 'received_asc' })}`);
    const t = table(
      [
        { label: 'État', cell: (i) => statusBadge(i.status) },
        { label: 'N° facture', cell: (i) => i.number, class: 'nowrap' },
        { label: 'Tiers', cell: (i) => i.supplierName },
        { label: 'Montant TTC', cell: (i) => formatMoney(i.amountTtc), num: true },
        { label: 'Accès', cell: (i) => numberLink({ ...i, number: 'Ouvrir' }) },
      ],
      page.items,
      {
        caption: `Factures du flux ${flow.fileName}`,
        empty: 'Aucune facture de vos structures dans ce flux.',
        rowAttrs: (i) => ({ class: 'clickable', tabindex: 0, dataset: { invoice: i.number } }),
      },
    );
    const trs = t.querySelectorAll('tbody tr');
    page.items.forEach((inv, k) => {
      const open = () => showSteps(inv, trs[k]).catch((e) => notify(e.message, 'error'));
      trs[k].addEventListener('click', (ev) => ev.target.tagName !== 'A' && open());
      trs[k].addEventListener('keydown', (ev) => (ev.key === 'Enter' || ev.key === ' ') && (ev.preventDefault(), open()));
    });
    clear(
      invoicesBox,
      h('h3', {}, `Flux ${flow.fileName}`),
      flow.errorMessage ? h('p', { class: 'error-text' }, flow.errorMessage) : null,
      t,
      page.nextCursor ? h('p', { class: 'muted' }, 'Les 500 premières factures sont affichées.') : null,
    );
  };

  const loadFlows = async () => {
    flows = await get(`/api/flows${qs({ limit: 50, before: before[before.length - 1] })}`);
    const t = table(
      [
        { label: 'État', cell: (f) => flowState(f.status) },
        { label: 'Date', cell: (f) => formatDateTime(f.receivedAt), class: 'nowrap' },
        { label: 'Nom flux', cell: (f) => f.fileName, class: 'wrap' },
        { label: 'Source', cell: (f) => SOURCES[f.source] ?? f.source },
        { label: 'Factures', cell: (f) => String(f.invoiceCount), num: true },
        { label: 'Motif', cell: (f) => (f.errorMessage ? h('span', { class: f.status === 'rejected' ? 'error-text' : null, title: f.errorCode ?? null }, f.errorMessage) : ''), class: 'wrap' },
        { label: 'Fichier', cell: (f) => rawLink(f, 'Télécharger') },
      ],
      flows,
      { caption: 'Liste des flux', empty: 'Aucun flux reçu.', rowAttrs: (f) => ({ class: 'clickable', tabindex: 0, dataset: { flow: f.fileName } }) },
    );
    const trs = t.querySelectorAll('tbody tr');
    flows.forEach((flow, k) => {
      const open = () => showInvoices(flow, trs[k]).catch((e) => notify(e.message, 'error'));
      trs[k].addEventListener('click', (ev) => ev.target.tagName !== 'A' && open());
      trs[k].addEventListener('keydown', (ev) => (ev.key === 'Enter' || ev.key === ' ') && (ev.preventDefault(), open()));
    });
    clear(
      flowsBox,
      t,
      h(
        'div',
        { class: 'pager' },
        h('button', { type: 'button', disabled: !before.length, onclick: () => (before.pop(), loadFlows()) }, '‹ Plus récents'),
        h('button', { type: 'button', disabled: flows.length < 50, onclick: () => (before.push(flows[flows.length - 1].receivedAt), loadFlows()) }, 'Plus anciens ›'),
      ),
    );
  };

  const dateInput = h('input', { type: 'date', id: 'report-date', value: todayParis() });
  const loadReport = async () => {
    const report = await get(`/api/reports/anomalies${qs({ date: dateInput.value })}`);
    const lines = report.structures.flatMap((s) => s.lines.map((l) => ({ ...l, structure: s.structureName ? `${s.structureName} (${s.siret})` : 'Destinataire inconnu ou flux rejeté' })));
    clear(
      reportBox,
      table(
        [
          { label: 'Structure', cell: (l) => l.structure },
          { label: 'Flux', cell: (l) => l.fileName, class: 'wrap' },
          { label: 'Facture', cell: (l) => l.invoiceNumber ?? '—' },
          { label: 'Date', cell: (l) => formatDate(l.date), class: 'nowrap' },
          { label: 'Anomalie', cell: (l) => h('span', { title: l.code }, anomalyLabel(l.code)) },
          { label: 'Motif', cell: (l) => l.reason, class: 'wrap' },
        ],
        lines,
        { caption: `Rapport d'anomalies du ${formatDate(report.date)}`, empty: `Aucune anomalie le ${formatDate(report.date)}.` },
      ),
    );
  };
  dateInput.addEventListener('change', () => loadReport().catch((e) => notify(e.message, 'error')));

  clear(
    main,
    h('h1', {}, 'Suivi démat — Facture démat'),
    h('p', { class: 'sub' }, `Tous les fichiers reçus, rejetés compris (motif et fichier reçu), leurs factures et les étapes de chacune${session.me?.role === 'admin' ? '' : ' (vos structures)'}.`),
    h(
      'div',
      { class: 'grid3' },
      h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, 'Liste des flux')), h('div', { class: 'body' }, flowsBox)),
      h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, 'Factures du flux')), h('div', { class: 'body' }, invoicesBox)),
      h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, 'Étapes de la facture sélectionnée')), h('div', { class: 'body' }, stepsBox)),
    ),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'head' }, h('h2', {}, 'Rapport quotidien d’anomalies'), h('label', { class: 'inline', for: 'report-date' }, 'Jour', dateInput)),
      h('div', { class: 'body' }, reportBox),
    ),
  );
  await Promise.all([loadFlows(), loadReport()]);
}
