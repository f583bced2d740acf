// Router and session of the pages. Hash routes (#/flux, #/facture/<id> …): one HTML shell, data from the API.
import { get, post, whenUnauthenticated } from '/assets/js/api.mjs';
import { clear, clearNotice, h, notify } from '/assets/js/dom.mjs';

let pendingNotice = null;
/** A message for the screen about to be drawn (routing clears the previous screen's message). */
export function noticeForNextScreen(message, kind = 'ok') {
  pendingNotice = [message, kind];
}

const ROLE_LABELS = { agent: 'agent', tresorier: 'trésorier', admin: 'administrateur' };

// Screens, who sees them in the menu (the server decides what each may read or do), and their module.
const SCREENS = [
  { path: 'flux', label: 'Intégration des flux', roles: ['agent', 'admin'], module: 'integration' },
  { path: 'tresorier', label: 'Trésorier', roles: ['tresorier'], module: 'tresorier' },
  { path: 'suivi', label: 'Suivi démat', roles: ['agent', 'admin', 'tresorier'], module: 'suivi' },
  { path: 'statuts', label: 'Retour des statuts', roles: ['agent', 'admin'], module: 'statuts' },
  { path: 'pes', label: 'Titres et PES ASAP', roles: ['agent', 'admin'], module: 'pes' },
  { path: 'mandats', label: 'Mandats', roles: ['agent', 'admin'], module: 'mandats-helios' },
  { path: 'admin', label: 'Administration', roles: ['admin'], module: 'admin' },
  { path: 'interets-moratoires', label: 'Intérêts moratoires', roles: ['agent', 'admin', 'tresorier'], module: 'interets-moratoires' },
];
// Screens reached from another one (not in the menu): module, who may open them (the server decides anyway), title.
const HIDDEN_ROUTES = {
  facture: { module: 'invoice', title: 'Facture' },
  mandater: { module: 'mandate', roles: ['agent', 'admin'], title: 'Mandater', menu: 'flux' },
  connexion: { module: 'login', title: 'Connexion' },
  'pes-budget': { module: 'pes-budget', roles: ['admin'], title: 'Paramétrage PES ASAP', menu: 'pes' },
  titre: { module: 'pes-titre', roles: ['agent', 'admin'], title: 'Titre de recette', menu: 'pes' },
  virement: { module: 'virement', title: 'Virement reçu', menu: 'mandats' },
};
const CURRENT_KEY = 'passerelle.collectivite';

export const session = { me: null, meta: null, structures: [] };

/**
 * Actions the current role may take on an invoice in this status (display only; the server decides), from the state
 * machine's table (/api/web/meta). With the invoice, an unknown recipient keeps only the actions allowed for it.
 */
export function actionsFor(status, invoice = null) {
  if (!session.meta || !session.me) return [];
  return session.meta.transitions
    .filter((t) => t.roles.includes(session.me.role) && t.from.includes(status))
    .filter((t) => !invoice?.unknownRecipient || t.allowedForUnknownRecipient)
    .map((t) => t.action);
}

export function statusLabel(code) {
  return session.meta?.statuses.find((s) => s.code === code)?.label ?? code;
}

/** French name of an anomaly code (the code itself goes in a tooltip). */
export function anomalyLabel(code) {
  return session.meta?.anomalies?.find((a) => a.code === code)?.label ?? code;
}

export function myStructures() {
  if (!session.me) return [];
  return session.structures.filter((s) => session.me.structureIds.includes(s.id));
}

/** « Collectivité en cours » (Corail): the structure the user works for now, chosen in the top bar when they have several. */
export function currentStructure() {
  const mine = myStructures();
  const saved = window.localStorage.getItem(CURRENT_KEY);
  return mine.find((s) => s.siret === saved) ?? mine[0] ?? null;
}

function setCurrentStructure(siret) {
  window.localStorage.setItem(CURRENT_KEY, siret);
  window.dispatchEvent(new CustomEvent('collectivite'));
  route();
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function homeOf(role) {
  return role === 'tresorier' ? '#/tresorier' : '#/flux';
}

async function loadSession() {
  const me = await get('/api/users/me');
  const [meta, structures] = await Promise.all([get('/api/web/meta'), get('/api/structures').catch(() => [])]);
  Object.assign(session, { me, meta, structures });
}

function renderTopbar(current) {
  const bar = document.getElementById('topbar');
  if (!session.me) {
    bar.hidden = true;
    return;
  }
  bar.hidden = false;
  const nav = document.getElementById('nav');
  clear(
    nav,
    SCREENS.filter((s) => s.roles.includes(session.me.role)).map((s) =>
      h('a', { href: `#/${s.path}`, 'aria-current': s.path === current ? 'page' : null }, s.label),
    ),
  );
  const mine = myStructures();
  const chosen = currentStructure();
  const who = document.getElementById('who');
  const role = ROLE_LABELS[session.me.role] ?? session.me.role;
  let where = null;
  if (mine.length > 1) {
    const select = h(
      'select',
      { id: 'current-structure', onchange: (ev) => setCurrentStructure(ev.target.value) },
      mine.map((s) => h('option', { value: s.siret, selected: s.siret === chosen?.siret }, s.name)),
    );
    where = h('label', { for: 'current-structure', title: 'Collectivité en cours' }, h('span', { class: 'label-text' }, 'Collectivité en cours'), select);
  } else if (chosen) {
    where = h('span', { class: 'user', title: `Collectivité en cours : ${chosen.name}` }, chosen.name);
  }
  clear(who, h('span', { class: 'user', title: `${session.me.email} (${role})` }, `${session.me.email} (${role})`), where);
}

let renderToken = 0;

async function route() {
  const token = ++renderToken;
  const [name = '', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const main = document.getElementById('main');
  if (name !== 'connexion' && !session.me) {
    try {
      await loadSession();
    } catch {
      location.replace('#/connexion');
      if (name === 'connexion') return;
      return route();
    }
  }
  if (!name) return go(homeOf(session.me.role));
  const screen = SCREENS.find((s) => s.path === name);
  const hidden = HIDDEN_ROUTES[name];
  const module = screen?.module ?? hidden?.module;
  // A screen of another role is never drawn, even by typing its address (the server would refuse its actions).
  const roles = screen?.roles ?? hidden?.roles;
  if (!module || (roles && session.me && !roles.includes(session.me.role))) return go(homeOf(session.me.role));
  clearNotice();
  if (pendingNotice) notify(...pendingNotice);
  pendingNotice = null;
  renderTopbar(screen?.path ?? hidden?.menu ?? (name === 'facture' ? 'flux' : ''));
  document.title = `${screen?.label ?? hidden?.title ?? name} — Passerelle`;
  clear(main, h('p', { class: 'loading' }, 'Chargement…'));
  try {
    const page = await import(`/assets/js/pages/${module}.mjs`);
    if (token !== renderToken) return;
    await page.render(main, params, { session, go, isCurrent: () => token === renderToken });
    main.dataset.page = module;
  } catch (err) {
    if (token !== renderToken) return;
    if (err?.status === 401) return;
    clear(main, h('h1', {}, 'Erreur'), h('p', { class: 'error-text', role: 'alert' }, err?.message ?? String(err)));
  }
}

export async function afterLogin() {
  session.me = null;
  await loadSession();
  go(homeOf(session.me.role));
}

whenUnauthenticated(() => {
  session.me = null;
  if (!location.hash.startsWith('#/connexion')) location.hash = '#/connexion';
});

document.getElementById('logout').addEventListener('click', async () => {
  await post('/api/auth/logout').catch(() => null);
  Object.assign(session, { me: null, meta: null, structures: [] });
  renderTopbar('');
  notify('Vous êtes déconnecté.');
  location.hash = '#/connexion';
});

window.addEventListener('hashchange', route);
route();
