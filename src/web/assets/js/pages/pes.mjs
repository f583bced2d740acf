// « Titres et PES ASAP »: the titres de recettes of a budget and their problems, « Générer le PES », the
// bordereaux generated (downloads) and the PES_ACQUIT returned by Hélios.
import { get, post, qs } from '/assets/js/api.mjs';
import { clear, downloadLink, h, notify, table } from '/assets/js/dom.mjs';
import { formatDate, formatDateTime, formatMoney } from '/assets/js/format.mjs';

const EDITIONS = { '01': '01 — à éditer', '02': '02 — Chorus Pro', '04': '04 — sans traitement DGFiP' };
const TITRE_STATES = { EN_ATTENTE: ['En attente', 'A_TRAITER'], EMIS: ['Émis', 'ok'] };
const BORD_STATES = { GENERE: ['Généré', ''], ACCEPTE: ['Accepté par Hélios', 'ok'], REJETE: ['Rejeté par Hélios', 'ko'] };
const badge = (map, v) => {
  const [l, c] = map[v] ?? [v, ''];
  return h('span', { class: `badge ${c}` }, l);
};

let chosen = '';

export async function render(main) {
  const budgets = await get('/api/pes/budgets');
  chosen = budgets.some((b) => b.code === chosen) ? chosen : budgets[0]?.code ?? '';
  const select = h('select', { id: 'pes-budget' }, budgets.map((b) => h('option', { value: b.code, selected: b.code === chosen }, `${b.code} — ${b.settings?.collectivite?.label ?? ''}`)));
  const issuesBox = h('div');
  const titresBox = h('div');
  const bordBox = h('div');
  const resultBox = h('div', { 'aria-live': 'polite' });

  const loadBudget = async () => {
    const budget = budgets.find((b) => b.code === chosen);
    clear(
      issuesBox,
      budget?.issues?.length
        ? h('div', { class: 'notice error', role: 'alert' }, h('strong', {}, 'Paramétrage ASAP incomplet : '), h('ul', {}, budget.issues.map((i) => h('li', {}, i.message))))
        : null,
    );
    if (!chosen) return;
    const [titres, bordereaux] = await Promise.all([get(`/api/titres${qs({ budget: chosen })}`), get(`/api/pes/bordereaux${qs({ budget: chosen })}`)]);
    clear(
      titresBox,
      table(
        [
          { label: 'N°', cell: (t) => `${t.year}-${t.number}`, class: 'nowrap' },
          { label: 'Émis le', cell: (t) => formatDate(t.issueDate), class: 'nowrap' },
          { label: 'Objet', cell: (t) => t.object },
          { label: 'Débiteur', cell: (t) => [t.debtor?.name, t.debtor?.firstName].filter(Boolean).join(' ') },
          { label: 'Type ASAP', cell: (t) => EDITIONS[t.edition] ?? t.edition },
          { label: 'Montant TTC', cell: (t) => formatMoney(t.amountTtc), num: true },
          { label: 'État', cell: (t) => badge(TITRE_STATES, t.status) },
          { label: 'Bordereau', cell: (t) => (t.bordereau ? String(t.bordereau) : '') },
          { label: 'Problème', cell: (t) => (t.lastRefusal ? h('span', { class: 'error-text' }, t.lastRefusal) : '') },
        ],
        titres,
        { caption: 'Titres de recettes', empty: 'Aucun titre pour ce budget.' },
      ),
    );
    clear(
      bordBox,
      table(
        [
          { label: 'Bordereau', cell: (b) => `${b.year} n° ${b.number}`, class: 'nowrap' },
          { label: 'Fichier', cell: (b) => b.fileName },
          { label: 'Titres', cell: (b) => String(b.titreCount), num: true },
          { label: 'Montant HT', cell: (b) => formatMoney(b.amountHt), num: true },
          { label: 'Généré le', cell: (b) => formatDateTime(b.generatedAt), class: 'nowrap' },
          { label: 'Acquittement', cell: (b) => [badge(BORD_STATES, b.status), b.acquitReason ? ` ${b.acquitReason}` : ''] },
          { label: 'Télécharger', cell: (b) => downloadLink(`/api/pes/bordereaux/${b.id}/file`, 'Télécharger', { dataset: { pesFile: b.fileName } }) },
        ],
        bordereaux,
        { caption: 'Bordereaux générés', empty: 'Aucun PES généré pour ce budget.' },
      ),
    );
  };

  select.addEventListener('change', () => {
    chosen = select.value;
    clear(resultBox);
    loadBudget().catch((e) => notify(e.message, 'error'));
  });

  const generate = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      id: 'pes-generate',
      disabled: !chosen,
      onclick: async () => {
        try {
          const r = await post('/api/pes/generate', { budget: chosen });
          clear(
            resultBox,
            r.items.length
              ? h(
                  'div',
                  { class: 'notice', role: 'status' },
                  `${r.titres} titre(s) dans ${r.bordereaux} bordereau(x) : `,
                  r.items.map((b, k) => [k ? ', ' : '', downloadLink(`/api/pes/bordereaux/${b.id}/file`, b.fileName, { dataset: { generated: b.fileName } })]),
                  '. Transmettez le fichier à Hélios (TdT).',
                )
              : h('p', { class: 'muted' }, 'Aucun titre en attente à mettre dans un PES.'),
            r.refused.length ? h('div', { class: 'error-text', role: 'alert' }, h('p', {}, `${r.refused.length} titre(s) refusé(s) :`), h('ul', {}, r.refused.map((x) => h('li', {}, `${x.titre} — ${x.reason}`)))) : null,
          );
          await loadBudget();
        } catch (err) {
          notify(err.message, 'error');
        }
      },
    },
    'Générer le PES',
  );

  const acquitFile = h('input', { type: 'file', id: 'acquit-file', accept: '.xml,application/xml,text/xml' });
  const acquitForm = h('form', { class: 'actions' }, h('label', { for: 'acquit-file' }, 'Fichier PES_ACQUIT reçu d’Hélios', acquitFile), h('button', { type: 'submit' }, 'Lire l’acquittement'));
  acquitForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = acquitFile.files?.[0];
    if (!file) return notify('Choisissez le fichier PES_ACQUIT.', 'error');
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      const r = await post('/api/pes/acquit', { contentBase64: btoa(bin) });
      const rejected = r.elements.filter((e) => e.status === 'REJETE').length;
      notify(`Acquittement ${r.nomFic ?? ''} lu : ${r.updated} bordereau(x) mis à jour${rejected ? `, ${rejected} rejet(s)` : ''}.`, rejected ? 'error' : 'ok');
      await loadBudget();
    } catch (err) {
      notify(err.message, 'error');
    }
  });

  const panel = (title, ...body) => h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, title)), h('div', { class: 'body' }, body));
  clear(
    main,
    h('h1', {}, 'Titres et PES ASAP'),
    h('p', { class: 'sub' }, 'Titres de recettes et avis des sommes à payer (ASAP) transmis à Hélios en PES V2.'),
    budgets.length
      ? h('div', { class: 'actions' }, h('label', { for: 'pes-budget' }, 'Budget', select), generate)
      : h('p', { class: 'muted' }, 'Aucun budget paramétré pour les PES ASAP (Administration ou `passerelle pes budget`).'),
    issuesBox,
    resultBox,
    panel('Titres de recettes', titresBox),
    panel('PES générés (bordereaux)', bordBox),
    panel('Acquittements', acquitForm),
  );
  await loadBudget();
}
