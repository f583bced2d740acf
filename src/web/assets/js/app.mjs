// Router and session of the pages. Hash routes (#/flux, #/facture/<id> …): one HTML shell, data from the API.
import { get, post, whenUnauthenticated } from '/assets/js/api.mjs';
import { clear, clearNotice, h, notify } from '/assets/js/dom.mjs';

const ROLE_LABELS = { agent: 'agent', tresorier: 'trésorier', admin: 'administrateur' };

// Screens, who sees them in the menu (the server decides what each may read or do), and their module.
const SCREENS = [
  { path: 'flux', label: 'Intégration des flux', roles: ['agent', 'admin'], module: 'integration' },
  { path: 'tresorier', label: 'Trésorier', roles: ['tresorier'], module: 'tresorier' },
  { path: 'suivi', label: 'Suivi démat', roles: ['agent', 'admin', 'tresorier'], module: 'suivi' },
  { path: 'statuts', label: 'Retour des statuts', roles: ['agent', 'admin'], module: 'statuts' },
  { path: 'pes', label: 'Titres et PES ASAP', roles: ['agent', 'admin'], module: 'pes' },
  { path: 'admin', label: 'Administration', roles: ['admin'], module: 'admin' },
];
const HIDDEN_ROUTES = { facture: 'invoice', mandater: 'mandate', connexion: 'login' };

export const session = { me: null, meta: null, structures: [] };

/** Actions the current role may take on an invoice in this status (display only; the server decides). */
export function actionsFor(status) {
  if (!session.meta || !session.me) return [];
  return session.meta.transitions
    .filter((t) => t.roles.includes(session.me.role) && t.from.includes(status))
    .map((t) => t.action);
}

export function statusLabel(code) {
  return session.meta?.statuses.find((s) => s.code === code)?.label ?? code;
}

export function myStructures() {
  if (!session.me) return [];
  return session.structures.filter((s) => session.me.structureIds.includes(s.id));
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
  const names = myStructures().map((s) => s.name);
  clear(
    document.getElementById('who'),
    `${session.me.email} (${ROLE_LABELS[session.me.role] ?? session.me.role})`,
    names.length ? h('br') : null,
    names.length ? `Collectivité en cours : ${names.length > 1 ? `${names[0]} (+${names.length - 1})` : names[0]}` : null,
  );
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
  const module = screen?.module ?? HIDDEN_ROUTES[name];
  if (!module) return go(homeOf(session.me.role));
  clearNotice();
  renderTopbar(screen?.path ?? (name === 'facture' || name === 'mandater' ? 'flux' : ''));
  document.title = `${screen?.label ?? (name === 'connexion' ? 'Connexion' : name === 'facture' ? 'Facture' : 'Mandater')} — Passerelle`;
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
