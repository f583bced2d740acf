// « Intégration des flux » (Corail, Téléprocédures / Factures dématérialisées): « Fichier… / Lecture » (mode portail),
// Factures à créer, Factures déjà créées, Factures en anomalie ou rejetées, with the same filters.
import { get, qs, upload } from '/assets/js/api.mjs';
import { actionsFor, currentStructure, go, myStructures } from '/assets/js/app.mjs';
import { askReason, askRecycle, confirmAction, runBulk } from '/assets/js/actions.mjs';
import { clear, fieldError, h, inlineNotice, table } from '/assets/js/dom.mjs';
import { centsToDecimal, parseAmountToCents } from '/assets/js/format.mjs';
import { COLUMNS, invoiceList, problemCell } from '/assets/js/invoice-list.mjs';

// Kept while moving between screens, so that coming back from an invoice finds the same search.
const EMPTY = { structure: null, service: '', supplier: '', from: '', to: '', amountMin: '', amountMax: '', sort: 'received_desc' };
const filters = { ...EMPTY };
// Another collectivité chosen in the top bar: the search follows it.
window.addEventListener('collectivite', () => (filters.structure = null));

const SORTS = [
  ['received_desc', 'Réception (récentes d’abord)'],
  ['received_asc', 'Réception (anciennes d’abord)'],
  ['due_asc', 'Échéance la plus proche'],
  ['due_desc', 'Échéance la plus lointaine'],
  ['amount_desc', 'Net à payer décroissant'],
  ['amount_asc', 'Net à payer croissant'],
];

const OUTCOMES = {
  integrated: ['Intégré', 'ok'],
  partial: ['Partiel', 'A_TRAITER'],
  rejected: ['Rejeté', 'ko'],
  alreadyImported: ['Déjà importé', ''],
  alreadyRejected: ['Déjà rejeté', 'ko'],
  mixed: ['Plusieurs flux', 'A_TRAITER'],
};

/** An amount filter as typed in France (« 1 000 », « 919,87 »), or '' when empty; null when it is not an amount. */
function amountFilter(text) {
  if (!String(text).trim()) return '';
  const cents = parseAmountToCents(text);
  return cents === null ? null : centsToDecimal(cents);
}

export async function render(main) {
  const structures = myStructures();
  // The current collectivité (top bar) is the default structure of the search.
  if (filters.structure === null) filters.structure = structures.length > 1 ? currentStructure()?.siret ?? '' : '';
  const field = (name, label, input) => {
    input.id = `f-${name}`;
    input.name = name;
    input.value = filters[name];
    return h('label', { for: input.id }, label, input);
  };
  const structureSelect = h('select', {}, h('option', { value: '' }, 'Toutes mes structures'), structures.map((s) => h('option', { value: s.siret }, `${s.name} (${s.siret})`)));
  const serviceSelect = h('select');
  const fillServices = () => {
    const chosen = structures.filter((s) => !structureSelect.value || s.siret === structureSelect.value);
    const codes = [...new Map(chosen.flatMap((s) => s.services).map((sv) => [sv.code, sv])).values()];
    serviceSelect.replaceChildren(h('option', { value: '' }, 'Tous'), codes.map((sv) => h('option', { value: sv.code, selected: sv.code === filters.service }, `${sv.code} — ${sv.label}`)));
  };
  const amountMin = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off' });
  const amountMax = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Recherche de factures', novalidate: true },
    field('structure', 'Structure', structureSelect),
    field('service', 'Service', serviceSelect),
    field('supplier', 'Fournisseur (SIRET ou nom)', h('input', { type: 'search' })),
    field('from', 'Reçue du', h('input', { type: 'date' })),
    field('to', 'au', h('input', { type: 'date' })),
    field('amountMin', 'Net à payer de (€)', amountMin),
    field('amountMax', 'à (€)', amountMax),
    field('sort', 'Tri', h('select', {}, SORTS.map(([v, l]) => h('option', { value: v }, l)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Rechercher'), h('button', { type: 'reset' }, 'Effacer')),
  );
  fillServices();
  structureSelect.value = filters.structure;
  structureSelect.addEventListener('change', fillServices);

  const params = () => ({
    structure: filters.structure,
    service: filters.service,
    supplier: filters.supplier.trim(),
    from: filters.from,
    to: filters.to,
    amountMin: amountFilter(filters.amountMin) ?? '',
    amountMax: amountFilter(filters.amountMax) ?? '',
    sort: filters.sort,
  });

  // Factures à créer
  const toCreateNotice = inlineNotice({ id: 'a-creer-message' });
  const toCreateBox = h('div');
  const countToCreate = h('span', { class: 'count' });
  const toCreate = invoiceList(toCreateBox, {
    params: () => ({ ...params(), tab: 'a-creer' }),
    selectable: true,
    caption: 'Factures à créer',
    empty: 'Aucune facture à créer.',
    columns: [COLUMNS.kind, COLUMNS.number, COLUMNS.supplier, COLUMNS.service, COLUMNS.reception, COLUMNS.ttc, COLUMNS.net, COLUMNS.attachments, COLUMNS.anomalies, COLUMNS.days],
    onLoaded: (page) => {
      countToCreate.textContent = `${page.items.length}${page.nextCursor ? '+' : ''} facture(s)`;
      syncButtons();
    },
  });
  const selected = () => [...toCreate.selection.values()];
  const reloadAll = () => Promise.all([toCreate.load(), created.load(), problems.load()]);
  const can = new Set(actionsFor('A_TRAITER'));
  const button = (action, label, onclick, { needsSelection = true, cls } = {}) =>
    can.has(action) ? h('button', { type: 'button', class: cls, dataset: { action, needsSelection: needsSelection ? '1' : '' }, onclick }, label) : null;
  const withSelection = (fn) => async () => {
    const list = selected();
    if (!list.length) return toCreateNotice.show('Sélectionnez au moins une facture (case à cocher).', 'error');
    await fn(list);
  };
  const act = (action, input) => async (list) => {
    await runBulk(action, list, input, toCreateNotice.show);
    await reloadAll();
  };
  const side = h(
    'div',
    { class: 'side', role: 'group', 'aria-label': 'Actions sur les factures à créer' },
    button('record', 'Facturer', withSelection(act('record'))),
    button(
      'record',
      'Facturer tout',
      async () => {
        const all = (await allToCreate(params())).filter((i) => actionsFor(i.status, i).includes('record'));
        if (!all.length) return toCreateNotice.show('Aucune facture à facturer dans la recherche en cours.', 'error');
        if (!(await confirmAction('Facturer tout', `Facturer les ${all.length} facture(s) à créer de la recherche en cours ?`, 'Facturer tout'))) return;
        await act('record')(all);
      },
      { needsSelection: false },
    ),
    button('mandate', 'Mandater', withSelection(async (list) => go(`#/mandater/${list.map((i) => i.id).join(',')}`)), { cls: 'primary' }),
    button('reject', 'Rejeter', withSelection(async (list) => reasonFlow('reject', list)), { cls: 'danger' }),
    button('suspend', 'Suspendre', withSelection(async (list) => reasonFlow('suspend', list))),
    button(
      'recycle',
      'Recycler',
      withSelection(async (list) => {
        const input = await askRecycle(list.length);
        if (input) await act('recycle', input)(list);
      }),
    ),
  );
  const reasonFlow = async (action, list) => {
    const input = await askReason(action, list.length, list[0]?.recipientSiret);
    if (input) await act(input.action, { reasonCode: input.reasonCode, complement: input.complement })(list);
  };
  // Only the actions the server would accept for every invoice selected (an unknown recipient: Recycler, Rejeter).
  const syncButtons = () => {
    const list = selected();
    for (const b of side.querySelectorAll('button[data-action]')) {
      const action = b.dataset.action;
      const needs = b.dataset.needsSelection === '1';
      b.hidden = needs && list.length > 0 && !list.every((i) => actionsFor(i.status, i).includes(action));
      if (needs) b.setAttribute('aria-disabled', String(!list.length));
    }
  };
  toCreateBox.addEventListener('selection', syncButtons);

  // Factures déjà créées
  const createdBox = h('div');
  const created = invoiceList(createdBox, {
    params: () => ({ ...params(), tab: 'creees' }),
    caption: 'Factures déjà créées',
    empty: 'Aucune facture créée.',
    columns: [COLUMNS.kind, COLUMNS.number, COLUMNS.supplier, COLUMNS.reception, COLUMNS.ttc, COLUMNS.net, COLUMNS.attachments, COLUMNS.status, COLUMNS.days],
  });

  // Factures en anomalie ou rejetées
  const problemsNotice = inlineNotice({ id: 'anomalies-message' });
  const problemsBox = h('div');
  const problems = invoiceList(problemsBox, {
    params: () => ({ ...params(), tab: 'anomalies' }),
    caption: 'Factures en anomalie ou rejetées',
    empty: 'Aucune facture en anomalie ou rejetée.',
    columns: [
      COLUMNS.number,
      COLUMNS.supplier,
      COLUMNS.ttc,
      COLUMNS.net,
      { label: 'Anomalie / Rejet', cell: problemCell, class: 'wrap' },
      {
        label: 'Annul. rejet',
        cell: (r) => {
          const acts = actionsFor(r.status, r);
          // Filled once loaded: a rejection can be cancelled only while it has not left for Chorus Pro.
          if (acts.includes('cancel-rejection')) return h('span', { dataset: { cancelFor: r.id } });
          if (acts.includes('end-suspension')) {
            return h('button', { type: 'button', onclick: async () => (await runBulk('end-suspension', [r], {}, problemsNotice.show), reloadAll()) }, 'Lever la suspension');
          }
          return '';
        },
      },
    ],
    onLoaded: (page) => {
      for (const r of page.items.filter((i) => actionsFor(i.status, i).includes('cancel-rejection'))) {
        get(`/api/status-outbox${qs({ invoiceId: r.id, state: 'pending' })}`)
          .then((rows) => {
            const slot = problemsBox.querySelector(`[data-cancel-for="${r.id}"]`);
            if (!slot) return;
            slot.replaceWith(
              rows.some((o) => o.targetStatus === 'REJETEE')
                ? h('button', { type: 'button', dataset: { cancel: r.number }, onclick: async () => (await runBulk('cancel-rejection', [r], {}, problemsNotice.show), reloadAll()) }, 'Annuler le rejet')
                : h('span', { class: 'muted' }, 'Rejet transmis'),
            );
          })
          .catch(() => undefined);
      }
    },
  });

  // The amounts are checked here, in French, beside their field; the lists stay as they are until the search is valid.
  const checkAmounts = () => {
    let ok = true;
    for (const input of [amountMin, amountMax]) {
      const bad = amountFilter(input.value) === null;
      fieldError(input, bad ? 'Montant en euros attendu (ex. 1 000 ou 919,87)' : null);
      ok &&= !bad;
    }
    return ok;
  };
  amountMin.addEventListener('input', () => amountMin.getAttribute('aria-invalid') && checkAmounts());
  amountMax.addEventListener('input', () => amountMax.getAttribute('aria-invalid') && checkAmounts());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!checkAmounts()) return form.querySelector('[aria-invalid="true"]')?.focus();
    for (const k of Object.keys(filters)) filters[k] = form.elements[k].value;
    reloadAll();
  });
  form.addEventListener('reset', () => {
    setTimeout(() => {
      Object.assign(filters, EMPTY, { structure: '' });
      form.elements.sort.value = filters.sort;
      fieldError(amountMin, null);
      fieldError(amountMax, null);
      fillServices();
      reloadAll();
    });
  });

  clear(
    main,
    h('h1', {}, 'Intégration des flux'),
    h('p', { class: 'sub' }, 'Factures dématérialisées reçues de Chorus Pro : cochez les factures puis choisissez Facturer, Mandater, Rejeter…'),
    can.size ? uploadPanel(reloadAll) : null,
    h('section', { class: 'panel', 'aria-labelledby': 'search-title' }, h('div', { class: 'head' }, h('h2', { id: 'search-title' }, 'Recherche')), h('div', { class: 'body' }, form)),
    h(
      'details',
      { class: 'panel', open: true, id: 'a-creer' },
      h('summary', {}, h('h2', {}, 'Factures à créer'), countToCreate),
      h('div', { class: 'body' }, toCreateNotice.el, h('div', { class: 'split' }, toCreateBox, side)),
    ),
    h('details', { class: 'panel', open: true, id: 'creees' }, h('summary', {}, h('h2', {}, 'Factures déjà créées')), h('div', { class: 'body' }, createdBox)),
    h('details', { class: 'panel', open: true, id: 'anomalies' }, h('summary', {}, h('h2', {}, 'Factures en anomalie ou rejetées')), h('div', { class: 'body' }, problemsNotice.el, problemsBox)),
  );
  // The daily list first; the two others right after, without delaying it.
  await toCreate.load();
  syncButtons();
  await Promise.all([created.load(), problems.load()]);
}

/**
 * Corail's « Fichier : … Lecture »: the pivot files downloaded from Chorus Pro (XML or ZIP), imported as the inbox
 * does; the result of each file below, the lists reloaded.
 */
function uploadPanel(reloadAll) {
  const input = h('input', { type: 'file', id: 'upload-files', multiple: true, accept: '.xml,.zip,application/xml,text/xml,application/zip' });
  const notice = inlineNotice({ id: 'upload-message' });
  const results = h('div', { id: 'upload-results', 'aria-live': 'polite' });
  const read = h('button', { type: 'submit', class: 'primary', id: 'upload-read' }, 'Lecture');
  const form = h(
    'form',
    { class: 'actions', id: 'upload-form' },
    h('label', { for: 'upload-files' }, 'Fichier (flux pivot XML ou ZIP téléchargé de Chorus Pro)', input),
    read,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const files = [...(input.files ?? [])];
    if (!files.length) return notice.show('Choisissez un ou plusieurs fichiers (bouton « Parcourir… ») puis « Lecture ».', 'error');
    const current = currentStructure();
    read.disabled = true;
    notice.show(`Lecture de ${files.length} fichier(s)…`);
    try {
      const r = await upload(`/api/flows/upload${qs({ structure: current?.siret })}`, files);
      notice.clear();
      clear(results, resultsTable(r.files));
      input.value = '';
      await reloadAll();
    } catch (err) {
      notice.show(err.message, 'error');
    } finally {
      read.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'upload-title', id: 'upload' },
    h('div', { class: 'head' }, h('h2', { id: 'upload-title' }, 'Lecture de flux (mode portail)')),
    h('div', { class: 'body' }, h('p', { class: 'hint' }, 'Sélectionnez les fichiers enregistrés depuis Chorus Pro (« Télécharger », format pivot) puis cliquez sur « Lecture ».'), form, notice.el, results),
  );
}

function resultsTable(files) {
  const badge = (outcome) => {
    const [label, cls] = OUTCOMES[outcome] ?? [outcome, ''];
    return h('span', { class: `badge ${cls}` }, label);
  };
  return table(
    [
      { label: 'Fichier', cell: (f) => f.fileName, class: 'wrap' },
      { label: 'Résultat', cell: (f) => badge(f.outcome) },
      { label: 'Factures créées', cell: (f) => String(f.invoices.created), num: true },
      { label: 'Doublons', cell: (f) => String(f.invoices.duplicates), num: true },
      {
        label: 'Détail',
        class: 'wrap',
        cell: (f) => (f.errors.length ? h('ul', {}, f.errors.map((e) => h('li', {}, `${e.invoice ? `${e.invoice} : ` : ''}${e.message}`))) : f.invoices.withAnomalies ? `${f.invoices.withAnomalies} facture(s) avec anomalies` : ''),
      },
    ],
    files,
    { caption: 'Résultat de la lecture', rowAttrs: (f) => ({ dataset: { uploaded: f.fileName, outcome: f.outcome } }) },
  );
}

/** Every invoice to create under the current search (Facturer tout), by pages of 500 (the bulk limit). */
async function allToCreate(params) {
  const out = [];
  let cursor;
  do {
    const page = await get(`/api/invoices${qs({ ...params, tab: 'a-creer', limit: 500, cursor })}`);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 500);
  return out.slice(0, 500);
}
