// A paged list of invoices from GET /api/invoices (keyset cursors: « Suivante » follows nextCursor,
// « Précédente » goes back through the cursors already seen).
import { get, qs } from '/assets/js/api.mjs';
import { anomalyLabel, statusLabel } from '/assets/js/app.mjs';
import { clear, h, table } from '/assets/js/dom.mjs';
import { formatDate, formatDaysLeft, formatMoney } from '/assets/js/format.mjs';
import { isWorksCadre } from '/assets/js/works.mjs';

export const PAGE_SIZE = 50;

export function kindLabel(type, cadre) {
  if (type === '381') return 'Avoir';
  return isWorksCadre(cadre) ? 'Facture de travaux' : 'Facture';
}

export function daysCell(row) {
  const text = formatDaysLeft(row.daysLeft, row.status);
  const cls = row.daysLeft !== null && row.daysLeft < 0 ? 'late' : row.daysLeft !== null && row.daysLeft <= 5 ? 'soon' : null;
  return h('span', { class: cls, title: row.dueDate ? `Échéance le ${formatDate(row.dueDate)}` : null }, text);
}

export function statusBadge(status) {
  return h('span', { class: `badge ${status}` }, statusLabel(status));
}

export function numberLink(row) {
  return h('a', { href: `#/facture/${row.id}` }, row.number);
}

/** Anomalies by their French names, each code in its tooltip. */
export function anomalyBadges(codes) {
  return codes.map((code, k) => [k ? ' ' : '', h('span', { class: 'badge ko', title: code, dataset: { anomaly: code } }, anomalyLabel(code))]);
}

const REASON_PREFIX = { REJETEE: 'Rejet', SUSPENDUE: 'Suspension', A_RECYCLER: 'Recyclage' };

/** Corail's « Anomalie / Rejet »: « Rejet : Cette facture ne nous est pas destinée », then the anomalies. */
export function problemCell(r) {
  const prefix = REASON_PREFIX[r.status];
  return [
    prefix ? h('span', { class: 'reason', dataset: { reason: r.status } }, r.reason ? `${prefix} : ${r.reason}` : statusLabel(r.status)) : null,
    prefix && r.anomalies.length ? h('br') : null,
    anomalyBadges(r.anomalies),
  ];
}

/** Common columns, by name. */
export const COLUMNS = {
  kind: { label: 'Facture / Avoir', cell: (r) => kindLabel(r.type, r.cadre) },
  number: { label: 'N° facture', cell: numberLink, class: 'nowrap' },
  supplier: { label: 'Tiers', cell: (r) => r.supplierName },
  service: { label: 'Service', cell: (r) => r.serviceCode ?? '' },
  reception: { label: 'Réception', cell: (r) => formatDate(r.receptionDate), class: 'nowrap' },
  ttc: { label: 'Montant TTC', cell: (r) => formatMoney(r.amountTtc), num: true },
  net: { label: 'Net à payer', cell: (r) => formatMoney(r.netAmount), num: true },
  attachments: { label: 'PJ', header: () => h('abbr', { title: 'Nombre de pièces jointes' }, 'PJ'), cell: (r) => String(r.attachmentCount), num: true },
  anomalies: { label: 'Anomalies', cell: (r) => anomalyBadges(r.anomalies) },
  days: { label: 'Délai restant', cell: daysCell, class: 'nowrap' },
  status: { label: 'État', cell: (r) => statusBadge(r.status) },
  cpp: { label: 'Statut Chorus Pro', cell: (r) => r.cppStatus ?? '' },
};

/**
 * Renders into `container`; `params()` gives the current filters. Options: columns (array of column
 * objects), selectable (checkbox per row, `selection` Map id → row), caption, onLoaded(page).
 */
export function invoiceList(container, { params, columns, selectable = false, caption, onLoaded, empty }) {
  const selection = new Map();
  const cursors = [null];
  let index = 0;
  let rows = [];

  const load = async (reset = true) => {
    if (reset) {
      cursors.length = 1;
      index = 0;
      selection.clear();
    }
    clear(container, h('p', { class: 'loading' }, 'Chargement…'));
    let page;
    try {
      page = await get(`/api/invoices${qs({ ...params(), limit: PAGE_SIZE, cursor: cursors[index] ?? undefined })}`);
    } catch (err) {
      // Never left on « Chargement… »: the reason, in French, where the list would be.
      clear(container, h('p', { class: 'error-text', role: 'alert' }, err.message));
      return null;
    }
    rows = page.items;
    cursors[index + 1] = page.nextCursor;
    draw(page);
    onLoaded?.(page);
    return page;
  };

  const draw = (page) => {
    const all = selectable
      ? h('input', {
          type: 'checkbox',
          'aria-label': 'Tout sélectionner sur cette page',
          checked: rows.length > 0 && rows.every((r) => selection.has(r.id)),
          onchange: (ev) => {
            for (const r of rows) {
              if (ev.target.checked) selection.set(r.id, r);
              else selection.delete(r.id);
            }
            draw(page);
            container.dispatchEvent(new CustomEvent('selection'));
          },
        })
      : null;
    const cols = selectable
      ? [
          {
            header: all,
            label: 'Sélection',
            cell: (r) =>
              h('input', {
                type: 'checkbox',
                'aria-label': `Sélectionner la facture ${r.number}`,
                checked: selection.has(r.id),
                dataset: { id: r.id },
                onchange: (ev) => {
                  if (ev.target.checked) selection.set(r.id, r);
                  else selection.delete(r.id);
                  ev.target.closest('tr').classList.toggle('selected', ev.target.checked);
                  container.dispatchEvent(new CustomEvent('selection'));
                },
              }),
          },
          ...columns,
        ]
      : columns;
    const pager = h(
      'div',
      { class: 'pager' },
      h('span', { class: 'muted' }, `Page ${index + 1} · ${rows.length} ligne(s)`),
      h('button', { type: 'button', disabled: index === 0, onclick: () => ((index -= 1), load(false)) }, '‹ Précédente'),
      h('button', { type: 'button', disabled: !page.nextCursor, onclick: () => ((index += 1), load(false)) }, 'Suivante ›'),
    );
    clear(
      container,
      table(cols, rows, {
        caption,
        empty: empty ?? 'Aucune facture.',
        rowAttrs: (r) => ({ class: selection.has(r.id) ? 'selected' : null, dataset: { invoice: r.number } }),
      }),
      pager,
    );
  };

  return { load, selection, rows: () => rows };
}
