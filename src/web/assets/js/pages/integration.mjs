// « Intégration des flux » (Corail, Téléprocédures / Factures dématérialisées): Factures à créer, Factures
// déjà créées, Factures en anomalie ou rejetées, with the same filters.
import { get, qs } from '/assets/js/api.mjs';
import { actionsFor, go, myStructures } from '/assets/js/app.mjs';
import { askReason, askRecycle, confirmAction, runBulk } from '/assets/js/actions.mjs';
import { clear, h, notify } from '/assets/js/dom.mjs';
import { COLUMNS, invoiceList, statusBadge } from '/assets/js/invoice-list.mjs';

// Kept while moving between screens, so that coming back from an invoice finds the same search.
const filters = { structure: '', service: '', supplier: '', from: '', to: '', amountMin: '', amountMax: '', sort: 'received_desc' };

const SORTS = [
  ['received_desc', 'Réception (récentes d’abord)'],
  ['received_asc', 'Réception (anciennes d’abord)'],
  ['due_asc', 'Échéance la plus proche'],
  ['due_desc', 'Échéance la plus lointaine'],
  ['amount_desc', 'Net à payer décroissant'],
  ['amount_asc', 'Net à payer croissant'],
];

export async function render(main) {
  const structures = myStructures();
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
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Recherche de factures' },
    field('structure', 'Structure', structureSelect),
    field('service', 'Service', serviceSelect),
    field('supplier', 'Fournisseur (SIRET ou nom)', h('input', { type: 'search' })),
    field('from', 'Reçue du', h('input', { type: 'date' })),
    field('to', 'au', h('input', { type: 'date' })),
    field('amountMin', 'Net à payer de (€)', h('input', { type: 'text', inputmode: 'decimal' })),
    field('amountMax', 'à (€)', h('input', { type: 'text', inputmode: 'decimal' })),
    field('sort', 'Tri', h('select', {}, SORTS.map(([v, l]) => h('option', { value: v }, l)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Rechercher'), h('button', { type: 'reset' }, 'Effacer')),
  );
  fillServices();
  structureSelect.value = filters.structure;
  structureSelect.addEventListener('change', fillServices);

  const params = () => {
    const amount = (v) => v.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
    return {
      structure: filters.structure,
      service: filters.service,
      supplier: filters.supplier.trim(),
      from: filters.from,
      to: filters.to,
      amountMin: amount(filters.amountMin),
      amountMax: amount(filters.amountMax),
      sort: filters.sort,
    };
  };

  // Factures à créer
  const can = new Set(actionsFor('A_TRAITER'));
  const toCreateBox = h('div');
  const countToCreate = h('span', { class: 'count' });
  const toCreate = invoiceList(toCreateBox, {
    params: () => ({ ...params(), tab: 'a-creer' }),
    selectable: true,
    caption: 'Factures à créer',
    empty: 'Aucune facture à créer.',
    columns: [COLUMNS.kind, COLUMNS.number, COLUMNS.supplier, COLUMNS.service, COLUMNS.reception, COLUMNS.ttc, COLUMNS.net, COLUMNS.attachments, COLUMNS.anomalies, COLUMNS.days],
    onLoaded: (page) => (countToCreate.textContent = `${page.items.length}${page.nextCursor ? '+' : ''} facture(s)`),
  });
  const selected = () => [...toCreate.selection.values()];
  const reloadAll = () => Promise.all([toCreate.load(), created.load(), problems.load()]);
  const button = (action, label, onclick, { needsSelection = true, cls } = {}) =>
    can.has(action) ? h('button', { type: 'button', class: cls, dataset: { action, needsSelection: needsSelection ? '1' : '' }, onclick }, label) : null;
  const withSelection = (fn) => async () => {
    const list = selected();
    if (!list.length) return notify('Sélectionnez au moins une facture (case à cocher).', 'error');
    await fn(list);
  };
  const side = h(
    'div',
    { class: 'side', role: 'group', 'aria-label': 'Actions sur les factures à créer' },
    button('record', 'Facturer', withSelection(async (list) => (await runBulk('record', list), reloadAll()))),
    button(
      'record',
      'Facturer tout',
      async () => {
        const all = await allToCreate(params());
        if (!all.length) return notify('Aucune facture à créer.', 'error');
        if (!(await confirmAction('Facturer tout', `Facturer les ${all.length} facture(s) à créer de la recherche en cours ?`, 'Facturer tout'))) return;
        await runBulk('record', all);
        await reloadAll();
      },
      { needsSelection: false },
    ),
    button('mandate', 'Mandater', withSelection(async (list) => go(`#/mandater/${list.map((i) => i.id).join(',')}`)), { cls: 'primary' }),
    button('reject', 'Rejeter', withSelection(async (list) => reasonFlow('reject', list, reloadAll)), { cls: 'danger' }),
    button('suspend', 'Suspendre', withSelection(async (list) => reasonFlow('suspend', list, reloadAll))),
    button('recycle', 'Recycler', withSelection(async (list) => {
      const input = await askRecycle(list.length);
      if (!input) return;
      await runBulk('recycle', list, input);
      await reloadAll();
    })),
  );
  const syncButtons = () => {
    for (const b of side.querySelectorAll('button[data-needs-selection="1"]')) b.setAttribute('aria-disabled', String(!toCreate.selection.size));
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
      { label: 'Anomalie / Rejet', cell: (r) => [statusBadge(r.status), r.anomalies.length ? [' ', h('span', { class: 'badge ko' }, r.anomalies.join(', '))] : null] },
      {
        label: 'Annul. rejet',
        cell: (r) => {
          const acts = actionsFor(r.status);
          // Filled once loaded: a rejection can be cancelled only while it has not left for Chorus Pro.
          if (acts.includes('cancel-rejection')) return h('span', { dataset: { cancelFor: r.id } });
          if (acts.includes('end-suspension')) {
            return h('button', { type: 'button', onclick: async () => (await runBulk('end-suspension', [r]), reloadAll()) }, 'Lever la suspension');
          }
          return '';
        },
      },
    ],
    onLoaded: (page) => {
      const cancelable = (r) => async () => {
        await runBulk('cancel-rejection', [r]);
        await reloadAll();
      };
      for (const r of page.items.filter((i) => actionsFor(i.status).includes('cancel-rejection'))) {
        get(`/api/status-outbox${qs({ invoiceId: r.id, state: 'pending' })}`)
          .then((rows) => {
            const slot = problemsBox.querySelector(`[data-cancel-for="${r.id}"]`);
            if (!slot) return;
            slot.replaceWith(
              rows.some((o) => o.targetStatus === 'REJETEE')
                ? h('button', { type: 'button', dataset: { cancel: r.number }, onclick: () => cancelable(r)().catch((e) => notify(e.message, 'error')) }, 'Annuler le rejet')
                : h('span', { class: 'muted' }, 'Rejet transmis'),
            );
          })
          .catch(() => undefined);
      }
    },
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    for (const k of Object.keys(filters)) filters[k] = form.elements[k].value;
    reloadAll().catch((err) => notify(err.message, 'error'));
  });
  form.addEventListener('reset', () => {
    setTimeout(() => {
      Object.assign(filters, { structure: '', service: '', supplier: '', from: '', to: '', amountMin: '', amountMax: '', sort: 'received_desc' });
      form.elements.sort.value = filters.sort;
      fillServices();
      reloadAll().catch((err) => notify(err.message, 'error'));
    });
  });

  clear(
    main,
    h('h1', {}, 'Intégration des flux'),
    h('p', { class: 'sub' }, 'Factures dématérialisées reçues de Chorus Pro : cochez les factures puis choisissez Facturer, Mandater, Rejeter…'),
    h('section', { class: 'panel', 'aria-labelledby': 'search-title' }, h('div', { class: 'head' }, h('h2', { id: 'search-title' }, 'Recherche')), h('div', { class: 'body' }, form)),
    h(
      'details',
      { class: 'panel', open: true, id: 'a-creer' },
      h('summary', {}, h('h2', {}, 'Factures à créer'), countToCreate),
      h('div', { class: 'body split' }, toCreateBox, side),
    ),
    h('details', { class: 'panel', open: true, id: 'creees' }, h('summary', {}, h('h2', {}, 'Factures déjà créées')), h('div', { class: 'body' }, createdBox)),
    h('details', { class: 'panel', open: true, id: 'anomalies' }, h('summary', {}, h('h2', {}, 'Factures en anomalie ou rejetées')), h('div', { class: 'body' }, problemsBox)),
  );
  // The daily list first; the two others right after, without delaying it.
  await toCreate.load();
  syncButtons();
  await Promise.all([created.load(), problems.load()]);
}

async function reasonFlow(action, list, reload) {
  const input = await askReason(action, list.length);
  if (!input) return;
  await runBulk(input.action, list, { reasonCode: input.reasonCode, complement: input.complement });
  await reload();
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

