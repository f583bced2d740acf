// Forms whose fields map to a nested JSON body by a dotted path (« collectivite.adresse.cp »): the value shown comes
// from the object, the body read back leaves empty fields out (the server says, in French, what is missing).
import { h } from '/assets/js/dom.mjs';

let seq = 0;

function at(obj, path) {
  return path.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

/** A labelled input (or `type: 'textarea'`, `type: 'select'` with `options`) bound to `path` of `values`. */
export function pathField(values, path, label, { type = 'text', options = null, wide = false, hint = null, ...attrs } = {}) {
  const id = `fld-${path.replace(/\./g, '-')}-${++seq}`;
  const current = at(values, path);
  let input;
  if (type === 'select') input = h('select', { id, dataset: { path } }, options);
  else if (type === 'textarea') input = h('textarea', { id, dataset: { path }, rows: 3, ...attrs });
  else input = h('input', { type, id, dataset: { path }, ...attrs });
  if (current !== undefined && current !== null) input.value = String(current);
  return h('label', { for: id, class: wide ? 'wide' : null }, label, input, hint ? h('span', { class: 'hint' }, hint) : null);
}

/** The nested object of every [data-path] field under `root`; empty fields are left out. */
export function readPaths(root) {
  const out = {};
  for (const el of root.querySelectorAll('[data-path]')) {
    const value = el.value.trim();
    if (value === '') continue;
    const keys = el.dataset.path.split('.');
    let o = out;
    for (const k of keys.slice(0, -1)) o = o[k] ??= {};
    o[keys[keys.length - 1]] = value;
  }
  return out;
}

/** Tabs (WAI-ARIA tablist) over panels: [{ id, label, body }]. */
export function tabs(list, { label }) {
  const buttons = [];
  const panels = [];
  const select = (k) => {
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === k));
      b.tabIndex = i === k ? 0 : -1;
    });
    panels.forEach((p, i) => (p.hidden = i !== k));
  };
  list.forEach((t, k) => {
    buttons.push(
      h('button', {
        type: 'button',
        role: 'tab',
        id: `tab-${t.id}`,
        'aria-controls': `panel-${t.id}`,
        onclick: () => select(k),
        onkeydown: (ev) => {
          if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
          const next = (k + (ev.key === 'ArrowRight' ? 1 : list.length - 1)) % list.length;
          select(next);
          buttons[next].focus();
        },
      }, t.label),
    );
    panels.push(h('div', { role: 'tabpanel', id: `panel-${t.id}`, 'aria-labelledby': `tab-${t.id}` }, t.body));
  });
  select(0);
  return { el: h('div', {}, h('div', { class: 'tabs', role: 'tablist', 'aria-label': label }, buttons), panels), select: (id) => select(list.findIndex((t) => t.id === id)) };
}

/** A File as base64 (the API takes the PDF of a titre in its JSON body). */
export async function fileToBase64(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
