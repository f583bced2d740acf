// The dialogs and calls shared by the screens that act on invoices. Every rule (who, from which state,
// motif length, imputations) is the server's: these only collect the input and show the answer.
import { get, post, qs } from '/assets/js/api.mjs';
import { session } from '/assets/js/app.mjs';
import { h, modal, notify } from '/assets/js/dom.mjs';
import { charCount } from '/assets/js/format.mjs';

const DONE = {
  record: 'facturée(s)',
  'service-done': 'certifiée(s) service fait',
  mandate: 'mandatée(s)',
  reject: 'rejetée(s)',
  suspend: 'suspendue(s)',
  recycle: 'envoyée(s) au recyclage',
  'cancel-rejection': 'remise(s) à traiter (rejet annulé)',
  'end-suspension': 'remise(s) à traiter (suspension levée)',
  payment: 'mise(s) en paiement',
};

/**
 * One action on a selection through POST /api/invoices/actions: each invoice on its own. Shows how many
 * succeeded and why the others were refused — with `show` (an inline notice beside the list acted on), or the
 * page's message line; returns the results.
 */
export async function runBulk(action, invoices, input = {}, show = notify) {
  let results;
  try {
    ({ results } = await post('/api/invoices/actions', { action, ids: invoices.map((i) => i.id), ...input }));
  } catch (err) {
    show(err.message, 'error');
    return [];
  }
  const byId = new Map(invoices.map((i) => [i.id, i]));
  const ok = results.filter((r) => r.ok);
  const ko = results.filter((r) => !r.ok);
  const parts = [];
  if (ok.length) {
    const mandates = ok.filter((r) => r.mandateNumber).map((r) => `${byId.get(r.id)?.number ?? r.id} → mandat n° ${r.mandateNumber}`);
    parts.push(`${ok.length} facture(s) ${DONE[action] ?? 'traitée(s)'}${mandates.length ? ` (${mandates.join(', ')})` : ''}.`);
  }
  if (ko.length) {
    parts.push(`${ko.length} refusée(s) : ${ko.map((r) => `${byId.get(r.id)?.number ?? r.id} — ${r.message}`).join(' ; ')}`);
  }
  show(parts.join(' '), ko.length ? 'error' : 'ok');
  return results;
}

// Motifs are per structure (the invoice's), the shipped list being every structure's default.
const reasonsCache = new Map();
async function reasons(siret) {
  const key = siret ?? '';
  if (!reasonsCache.has(key)) {
    const list = siret ? await get(`/api/reasons${qs({ structure: siret })}`).catch(() => get('/api/reasons')) : await get('/api/reasons');
    reasonsCache.set(key, list);
  }
  return reasonsCache.get(key);
}
export function forgetReasons() {
  reasonsCache.clear();
}

/**
 * « Informations complémentaires sur la nature du rejet ou de la suspension » (Corail): rejeter or
 * suspendre, a motif from the list (mandatory: nothing is sent without one), a complement within the
 * 255-character budget Chorus Pro allows for « libellé : complément ».
 * Resolves to { action, reasonCode, complement } or null. `siret`: the invoices' structure (its motifs).
 */
export async function askReason(initialAction, count, siret) {
  const list = await reasons(siret);
  const max = session.meta?.maxReasonLength ?? 255;
  const kind = (value, label) =>
    h('label', { class: 'inline' }, h('input', { type: 'radio', name: 'reason-action', value, checked: value === initialAction }), label);
  const actionBox = h('fieldset', {}, h('legend', {}, 'Action'), kind('reject', 'Rejeter la facture'), kind('suspend', 'Suspendre la facture'));
  const select = h('select', { id: 'reason-code', required: false });
  const complement = h('textarea', { id: 'reason-complement', rows: 3, maxlength: 1000 });
  const budget = h('p', { id: 'reason-budget', class: 'muted', 'aria-live': 'polite' });
  const current = () => actionBox.querySelector('input:checked')?.value ?? initialAction;
  const fill = () => {
    const keep = select.value;
    select.replaceChildren(
      h('option', { value: '' }, '— Choisir un motif —'),
      ...list.filter((r) => r.actions.includes(current())).map((r) => h('option', { value: r.code, selected: r.code === keep }, r.label)),
    );
    update();
  };
  const update = () => {
    const reason = list.find((r) => r.code === select.value);
    const used = reason ? charCount(reason.label) + (complement.value.trim() ? 3 : 0) : 0;
    const left = max - used - charCount(complement.value.trim());
    budget.textContent = reason
      ? `Motif transmis à Chorus Pro : ${used + charCount(complement.value.trim())} / ${max} caractères (reste ${left}).`
      : `Le motif est obligatoire ; avec son complément, ${max} caractères au plus.`;
    budget.className = left < 0 ? 'error-text' : 'muted';
  };
  actionBox.addEventListener('change', fill);
  select.addEventListener('change', update);
  complement.addEventListener('input', update);
  fill();
  return modal(
    count > 1 ? `Rejet ou suspension de ${count} factures` : 'Rejet ou suspension de la facture',
    [
      h('p', { class: 'muted' }, 'Une facture peut être rejetée si des données sont erronées ; suspendue lorsqu’une ou plusieurs pièces justificatives sont manquantes.'),
      actionBox,
      h('label', { for: 'reason-code' }, 'Motif (obligatoire)', select),
      h('label', { for: 'reason-complement' }, 'Complément d’information', complement),
      budget,
    ],
    {
      danger: true,
      onSubmit: async () => {
        if (!select.value) {
          select.focus();
          throw new Error('Choisissez un motif : il est obligatoire pour rejeter ou suspendre une facture.');
        }
        const reason = list.find((r) => r.code === select.value);
        const total = charCount(reason.label) + (complement.value.trim() ? 3 + charCount(complement.value.trim()) : 0);
        if (total > max) throw new Error(`Motif trop long pour Chorus Pro : ${total} caractères, ${max} au plus.`);
        return { action: current(), reasonCode: select.value, complement: complement.value.trim() || undefined };
      },
    },
  );
}

/** Recycler: an optional precision for the supplier (255 characters at most). */
export async function askRecycle(count) {
  const max = session.meta?.maxReasonLength ?? 255;
  // No maxlength: the browser counts it in UTF-16 units (an emoji = 2), the server and Chorus Pro in characters.
  const complement = h('textarea', { id: 'recycle-complement', rows: 3 });
  const budget = h('p', { class: 'muted', 'aria-live': 'polite' }, `${max} caractères au plus.`);
  complement.addEventListener('input', () => (budget.textContent = `${charCount(complement.value)} / ${max} caractères.`));
  return modal(
    count > 1 ? `Recycler ${count} factures` : 'Recycler la facture',
    [
      h('p', { class: 'muted' }, 'La facture a été adressée à la mauvaise structure ou au mauvais service : elle repart vers Chorus Pro (À recycler).'),
      h('label', { for: 'recycle-complement' }, 'Précision transmise à Chorus Pro (facultative)', complement),
      budget,
    ],
    {
      submitLabel: 'Recycler',
      onSubmit: async () => {
        const length = charCount(complement.value.trim());
        if (length > max) throw new Error(`Précision trop longue pour Chorus Pro : ${length} caractères, ${max} au plus.`);
        return { complement: complement.value.trim() || undefined };
      },
    },
  );
}

export function confirmAction(title, text, submitLabel = 'Confirmer') {
  return modal(title, h('p', {}, text), { submitLabel, onSubmit: async () => true });
}
