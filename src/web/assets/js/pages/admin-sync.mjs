// Administration › « Synchronisation avec Chorus Pro » (issue 15): per structure, when its settings were last read
// from Chorus Pro, the changes applied (services added, renamed, deactivated; « obligatoire » settings), and
// « Synchroniser maintenant » for a structure having a technical account. Mounted by admin.mjs (PARTS).
import { get, post } from '/assets/js/api.mjs';
import { myStructures } from '/assets/js/app.mjs';
import { clear, h, inlineNotice, table } from '/assets/js/dom.mjs';
import { formatDateTime } from '/assets/js/format.mjs';

const CHANGES = {
  SERVICE_ADDED: 'Service ajouté',
  SERVICE_RENAMED: 'Service renommé',
  SERVICE_DEACTIVATED: 'Service désactivé',
  SERVICE_REACTIVATED: 'Service réactivé',
  SERVICE_REQUIRED_CHANGED: 'Code service obligatoire',
  ENGAGEMENT_REQUIRED_CHANGED: 'Engagement obligatoire',
  ENGAGEMENT_OR_SERVICE_CHANGED: 'Engagement ou code service obligatoire',
};

export async function mount(body) {
  const structures = myStructures();
  if (!structures.length) return clear(body, h('p', { class: 'muted' }, 'Aucune structure.'));
  clear(body, h('p', { class: 'sub' }, 'Services et paramètres (code service, engagement, l’un ou l’autre obligatoires) relus dans Chorus Pro avant chaque récupération des factures.'));
  for (const s of structures) {
    const box = h('div', { dataset: { syncStructure: s.siret } });
    body.append(box);
    await drawStructure(box, s);
  }
}

async function drawStructure(box, s) {
  const notice = inlineNotice();
  const history = await get(`/api/structures/${s.siret}/history`).catch(() => []);
  const button = s.technicalAccountLogin
    ? h(
        'button',
        {
          type: 'button',
          onclick: async () => {
            button.disabled = true;
            try {
              const report = await post(`/api/structures/${s.siret}/sync`, {});
              const r = report.structures[0];
              await drawStructure(box, s);
              box.querySelector('.notice')?.replaceWith(notice.el);
              notice.show(r?.ok ? `${r.changes.length} changement(s) appliqué(s).` : `Échec : ${r?.error?.message ?? 'erreur inconnue'}`, r?.ok ? 'ok' : 'error');
            } catch (err) {
              notice.show(err.message, 'error');
            } finally {
              button.disabled = false;
            }
          },
        },
        'Synchroniser maintenant',
      )
    : h('span', { class: 'muted' }, 'Pas de compte technique : paramétrage à la main.');
  clear(
    box,
    h('h3', {}, `${s.name} (${s.siret})`),
    h('p', {}, s.syncedAt ? `Dernière lecture dans Chorus Pro : ${formatDateTime(s.syncedAt)}` : 'Jamais relue dans Chorus Pro.', ' ', button),
    notice.el,
    table(
      [
        { label: 'Date', cell: (r) => formatDateTime(r.at), class: 'nowrap' },
        { label: 'Changement', cell: (r) => h('span', { title: r.change, dataset: { change: r.change } }, CHANGES[r.change] ?? r.change) },
        { label: 'Détail', cell: (r) => r.message, class: 'wrap' },
      ],
      history,
      { caption: 'Historique du paramétrage', empty: 'Aucun changement lu dans Chorus Pro.' },
    ),
  );
}
