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
 * A message box beside the list or form it is about (the page is long: a message at the top goes unseen).
 * `show(message, kind)` has notify's signature, so the shared actions take either.
 */
export function inlineNotice(attrs = {}) {
  const el = h('div', { class: 'notice inline', role: 'status', 'aria-live': 'polite', hidden: true, ...attrs });
  let timer;
  const show = (message, kind = 'ok') => {
    clear(el, ...(Array.isArray(message) ? message : [message]));
    el.className = kind === 'error' ? 'notice inline error' : 'notice inline';
    el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    el.hidden = false;
    clearTimeout(timer);
    if (kind !== 'error') timer = setTimeout(() => (el.hidden = true), 15000);
  };
  return { el, show, clear: () => ((el.hidden = true), clearTimeout(timer)) };
}

/** Shows a French message under a form field (aria-invalid, aria-describedby); `null` clears it. */
export function fieldError(input, message) {
  const id = `${input.id || input.name}-error`;
  let box = document.getElementById(id);
  if (!message) {
    input.removeAttribute('aria-invalid');
    box?.remove();
    return;
  }
  if (!box) {
    box = h('span', { id, class: 'field-error', role: 'alert' });
    input.insertAdjacentElement('afterend', box);
  }
  box.textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
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
    let busy = false;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (busy) return; // a double click sends once
      busy = true;
      error.hidden = true;
      error.classList.remove('stale');
      submit.disabled = true;
      try {
        const value = onSubmit ? await onSubmit() : true;
        close(value);
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      } finally {
        busy = false;
        submit.disabled = false;
      }
    });
    // A message about the previous attempt fades as soon as the person changes something, but keeps its place: hiding
    // it moved the buttons up, and the click that follows a blur (« Valider » after shortening the motif) missed them.
    const stale = () => error.classList.add('stale');
    form.addEventListener('input', stale);
    form.addEventListener('change', stale);
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
