// « Administration » part: the last outcome of each structure's pull from Chorus Pro (GET /api/pull/outcomes) — ok,
// failed with the French error, or skipped with the reason — so a structure the nightly pull missed is seen.
import { get } from '/assets/js/api.mjs';
import { clear, h, table } from '/assets/js/dom.mjs';
import { formatDateTime } from '/assets/js/format.mjs';

const OUTCOMES = { ok: 'Réussie', failed: 'En échec', skipped: 'Non relevée' };

export async function mount(body) {
  const rows = await get('/api/pull/outcomes');
  clear(
    body,
    table(
      [
        { label: 'Structure', cell: (o) => `${o.name} (${o.siret})` },
        { label: 'Dernière relève', cell: (o) => formatDateTime(o.at) },
        { label: 'Résultat', cell: (o) => h('span', { class: o.outcome === 'ok' ? '' : 'error-text' }, OUTCOMES[o.outcome] ?? o.outcome) },
        { label: 'Détail', cell: (o) => o.message ?? '' },
      ],
      rows,
      { caption: 'Dernière relève de chaque structure', rowAttrs: (o) => ({ 'data-pull': o.siret }), empty: 'Aucune relève enregistrée pour vos structures.' },
    ),
  );
}
