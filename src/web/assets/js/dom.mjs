// Tiny DOM helpers: elements are built with textContent, never innerHTML, so data is never read as markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'open' || k === 'hidden' || k === 'required' || k === 'multiple') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The message line under the top bar (role=status): success or error. */
export function notify(message, kind = 'ok') {
  const box = document.getElementById('notice');
  box.textContent = message;
  box.className = kind === 'error' ? 'notice error' : 'notice';
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.hidden = false;
  clearTimeout(notify.timer);
  if (kind !== 'error') notify.timer = setTimeout(() => (box.hidden = true), 8000);
}

export function clearNotice() {
  document.getElementById('notice').hidden = true;
}

/**
 * A table from column definitions { label, cell(row) → node|text, num?, class? }. Returns the <table>.
 * `caption` is read by screen readers only.
 */
export function table(columns, rows, { caption, rowAttrs, empty = 'Aucune ligne.' } = {}) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : c.class }, typeof c.header === 'function' ? c.header() : c.header ?? c.label))));
  const tbody = h('tbody');
  if (!rows.length) tbody.append(h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, empty)));
  for (const row of rows) {
    tbody.append(h('tr', rowAttrs ? rowAttrs(row) : {}, columns.map((c) => h('td', { class: c.num ? 'num' : c.class }, c.cell(row)))));
  }
  return h('div', { class: 'table-wrap' }, h('table', {}, caption ? h('caption', { class: 'sr-only' }, caption) : null, thead, tbody));
}

/** A modal dialog; resolves with what `onSubmit` returns, or null when cancelled. */
export function modal(title, body, { submitLabel = 'Valider', onSubmit, danger = false } = {}) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit', class: danger ? 'primary danger' : 'primary' }, submitLabel);
    const form = h(
      'form',
      { method: 'dialog' },
      h('div', { class: 'head' }, h('h2', { id: 'dialog-title' }, title)),
      h('div', { class: 'body' }, body, error),
      h('div', { class: 'foot' }, h('button', { type: 'button', onclick: () => close(null) }, 'Annuler'), submit),
    );
    const dialog = h('dialog', { 'aria-labelledby': 'dialog-title' }, form);
    let done = false;
    const close = (value) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        const value = onSubmit ? await onSubmit() : true;
        close(value);
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    // A message about the previous attempt goes as soon as the person changes something.
    form.addEventListener('change', () => (error.hidden = true));
    dialog.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      close(null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Downloads a same-origin URL through a link (the session cookie goes with it). */
export function downloadLink(href, label, attrs = {}) {
  return h('a', { href, download: '', ...attrs }, label);
}
