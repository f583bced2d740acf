// « Titres et PES ASAP »: the titres de recettes of a budget (new, edit while pending) and their problems, the budget's
// settings (admin), « Générer le PES », the bordereaux generated (downloads, Hélios errors), the PES_ACQUIT and the
// PES_AsapRetour returned by Hélios.
import { get, post, qs } from '/assets/js/api.mjs';
import { currentStructure, session } from '/assets/js/app.mjs';
import { clear, downloadLink, h, inlineNotice, table } from '/assets/js/dom.mjs';
import { fileToBase64 } from '/assets/js/form.mjs';
import { formatDate, formatDateTime, formatMoney } from '/assets/js/format.mjs';
import { asapRetourText } from '/assets/js/pages/pes-titre.mjs';

const EDITIONS = { '01': '01 — à éditer', '02': '02 — Chorus Pro', '04': '04 — sans traitement DGFiP' };
const TITRE_STATES = { EN_ATTENTE: ['En attente', 'A_TRAITER'], EMIS: ['Émis', 'ok'] };
const BORD_STATES = { GENERE: ['Généré', ''], ACCEPTE: ['Accepté par Hélios', 'ok'], REJETE: ['Rejeté par Hélios', 'ko'] };
const badge = (map, v) => {
  const [l, c] = map[v] ?? [v, ''];
  return h('span', { class: `badge ${c}` }, l);
};

let chosen = '';

/** « Erreur 2559 — domaine 6 (recette), pièce 3, ligne 1 : … » */
function errorText(e) {
  const where = [`domaine ${e.domaine} (${e.domaineLabel})`, e.piece ? `pièce ${e.piece}` : null, e.line ? `ligne ${e.line}` : null].filter(Boolean).join(', ');
  return `${e.heliosCode ? `Erreur ${e.heliosCode}` : e.anoCode ?? 'Erreur'} — ${where} : ${e.message}`;
}

export async function render(main) {
  const budgets = await get('/api/pes/budgets');
  const isAdmin = session.me?.role === 'admin';
  const mineFirst = budgets.find((b) => b.settings?.collectivite?.siret === currentStructure()?.siret)?.code;
  chosen = budgets.some((b) => b.code === chosen) ? chosen : mineFirst ?? budgets[0]?.code ?? '';
  const select = h('select', { id: 'pes-budget' }, budgets.map((b) => h('option', { value: b.code, selected: b.code === chosen }, `${b.code} — ${b.settings?.collectivite?.label ?? ''}`)));
  const settingsLink = h('a', { id: 'pes-settings' }, 'Paramétrage du budget');
  const newTitre = h('a', { id: 'pes-new-titre', class: 'button-link' }, '+ Nouveau titre');
  const issuesBox = h('div');
  const titresBox = h('div');
  const bordBox = h('div');
  const resultBox = h('div', { id: 'pes-result', 'aria-live': 'polite' });
  const generateNotice = inlineNotice({ id: 'pes-message' });
  const acquitNotice = inlineNotice({ id: 'acquit-message' });

  const loadBudget = async () => {
    const budget = budgets.find((b) => b.code === chosen);
    settingsLink.href = `#/pes-budget/${encodeURIComponent(chosen)}`;
    newTitre.href = `#/titre/${encodeURIComponent(chosen)}/nouveau`;
    clear(
      issuesBox,
      budget?.issues?.length
        ? h(
            'div',
            { class: 'notice inline error', role: 'alert' },
            h('strong', {}, 'Paramétrage ASAP incomplet : '),
            h('ul', {}, budget.issues.map((i) => h('li', {}, i.message))),
            isAdmin ? h('a', { href: `#/pes-budget/${encodeURIComponent(chosen)}` }, 'Compléter le paramétrage') : 'Le gestionnaire principal (rôle admin) le complète sur cette page.',
          )
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
          { label: 'Objet', cell: (t) => t.object, class: 'wrap' },
          { label: 'Débiteur', cell: (t) => [t.debtor?.name, t.debtor?.firstName].filter(Boolean).join(' '), class: 'wrap' },
          { label: 'Type ASAP', cell: (t) => EDITIONS[t.edition] ?? t.edition },
          { label: 'Montant TTC', cell: (t) => formatMoney(t.amountTtc), num: true },
          { label: 'État', cell: (t) => badge(TITRE_STATES, t.status) },
          { label: 'Bordereau', cell: (t) => (t.bordereau ? String(t.bordereau) : '') },
          {
            label: 'Problème / retour Hélios',
            class: 'wrap',
            cell: (t) => [
              t.lastRefusal ? h('span', { class: 'error-text' }, t.lastRefusal) : null,
              (t.warnings ?? []).map((w) => h('div', { class: 'hint' }, w.message)),
              t.asapRetour ? h('div', { dataset: { asapRetour: t.asapRetour.state } }, asapRetourText(t.asapRetour)) : null,
            ],
          },
          {
            label: 'Accès',
            cell: (t) => h('a', { href: `#/titre/${encodeURIComponent(chosen)}/${t.id}`, dataset: { titre: `${t.year}-${t.number}` } }, t.status === 'EN_ATTENTE' ? 'Modifier' : 'Voir'),
          },
        ],
        titres,
        { caption: 'Titres de recettes', empty: 'Aucun titre pour ce budget.', rowAttrs: (t) => ({ dataset: { titreRow: t.object } }) },
      ),
    );
    clear(
      bordBox,
      table(
        [
          { label: 'Bordereau', cell: (b) => `${b.domain === 'depense' ? 'Mandats' : 'Titres'} ${b.year} n° ${b.number}`, class: 'nowrap' },
          { label: 'Fichier (NomFic)', cell: (b) => b.fileName, class: 'wrap' },
          { label: 'Pièces', cell: (b) => String(b.titreCount), num: true },
          { label: 'Montant HT', cell: (b) => formatMoney(b.amountHt), num: true },
          { label: 'Généré le', cell: (b) => formatDateTime(b.generatedAt), class: 'nowrap' },
          {
            label: 'Acquittement',
            class: 'wrap',
            // Every Hélios error kept, with its domain, piece, line and Hélios number.
            cell: (b) => [
              badge(BORD_STATES, b.status),
              (b.errors ?? []).length
                ? h('ul', { class: 'error-text', dataset: { bordereauErrors: String(b.errors.length) } }, b.errors.map((e) => h('li', {}, errorText(e))))
                : null,
            ],
          },
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
    generateNotice.clear();
    loadBudget().catch((e) => generateNotice.show(e.message, 'error'));
  });

  // One generation at a time: a double click sends once, and a later click with nothing left to send keeps the
  // result of the previous one on screen (its download links).
  let generating = false;
  const generate = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      id: 'pes-generate',
      disabled: !chosen,
      onclick: async () => {
        if (generating) return;
        generating = true;
        generate.disabled = true;
        try {
          const r = await post('/api/pes/generate', { budget: chosen });
          if (r.items.length) {
            clear(
              resultBox,
              h(
                'div',
                { class: 'notice inline', role: 'status' },
                `${r.titres} titre(s) dans ${r.bordereaux} bordereau(x) : `,
                r.items.map((b, k) => [k ? ', ' : '', downloadLink(`/api/pes/bordereaux/${b.id}/file`, b.fileName, { dataset: { generated: b.fileName } })]),
                '. Transmettez le fichier à Hélios (TdT).',
              ),
            );
            generateNotice.clear();
          } else {
            generateNotice.show('Aucun titre en attente à mettre dans un PES.');
          }
          if (r.warnings?.length) {
            resultBox.append(h('div', { class: 'hint', role: 'status', id: 'pes-warnings' }, h('p', {}, 'Attention :'), h('ul', {}, r.warnings.map((w) => h('li', {}, `${w.titre} — ${w.message}`)))));
          }
          if (r.refused.length) {
            resultBox.append(h('div', { class: 'error-text', role: 'alert' }, h('p', {}, `${r.refused.length} titre(s) refusé(s) :`), h('ul', {}, r.refused.map((x) => h('li', {}, `${x.titre} — ${x.reason}`)))));
          }
          await loadBudget();
        } catch (err) {
          generateNotice.show(err.message, 'error');
        } finally {
          generating = false;
          generate.disabled = !chosen;
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
    if (!file) return acquitNotice.show('Choisissez le fichier PES_ACQUIT.', 'error');
    try {
      const r = await post('/api/pes/acquit', { contentBase64: await fileToBase64(file) });
      const rejected = r.bordereaux.filter((b) => b.status === 'REJETE').length;
      // An unknown budget (which IdColl/CodCol/CodBud was looked up) or a file already read: said as such.
      if (r.message) acquitNotice.show(r.message, r.budget ? 'ok' : 'error');
      else acquitNotice.show(`Acquittement ${r.nomFic ?? ''} lu : ${r.updated} bordereau(x) mis à jour${rejected ? `, ${rejected} rejeté(s)` : ''}.`, rejected ? 'error' : 'ok');
      await loadBudget();
    } catch (err) {
      acquitNotice.show(err.message, 'error');
    }
  });

  const retourNotice = inlineNotice({ id: 'asap-retour-message' });
  const retourFile = h('input', { type: 'file', id: 'asap-retour-file', accept: '.xml,application/xml,text/xml' });
  const retourForm = h('form', { class: 'actions' }, h('label', { for: 'asap-retour-file' }, 'Fichier PES_AsapRetour reçu d’Hélios', retourFile), h('button', { type: 'submit' }, 'Lire le retour ASAP'));
  retourForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = retourFile.files?.[0];
    if (!file) return retourNotice.show('Choisissez le fichier PES_AsapRetour.', 'error');
    try {
      const r = await post('/api/pes/asap-retour', { contentBase64: await fileToBase64(file) });
      retourNotice.show(`Retour ASAP lu : ${r.read} ASAP, ${r.recorded} nouvelle(s) enregistrée(s)${r.unmatched ? `, ${r.unmatched} sans titre correspondant` : ''}.`, r.unmatched ? 'error' : 'ok');
      await loadBudget();
    } catch (err) {
      retourNotice.show(err.message, 'error');
    }
  });

  const panel = (title, ...body) => h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, title)), h('div', { class: 'body' }, body));
  clear(
    main,
    h('h1', {}, 'Titres et PES ASAP'),
    h('p', { class: 'sub' }, 'Titres de recettes et avis des sommes à payer (ASAP) transmis à Hélios en PES V2.'),
    budgets.length
      ? h(
          'div',
          { class: 'actions' },
          h('label', { for: 'pes-budget' }, 'Budget', select),
          generate,
          isAdmin ? settingsLink : null,
          isAdmin ? h('a', { href: '#/pes-budget/nouveau', id: 'pes-new-budget' }, '+ Nouveau budget') : null,
        )
      : h(
          'p',
          { class: 'muted', id: 'pes-no-budget' },
          isAdmin
            ? ['Aucun budget paramétré pour les PES ASAP. ', h('a', { href: '#/pes-budget/nouveau', id: 'pes-new-budget' }, 'Paramétrer un budget')]
            : 'Aucun budget paramétré pour les PES ASAP : le gestionnaire principal (rôle admin) le paramètre sur cette page.',
        ),
    issuesBox,
    generateNotice.el,
    resultBox,
    budgets.length ? panel('Titres de recettes', h('div', { class: 'actions' }, newTitre), titresBox) : null,
    budgets.length ? panel('PES générés (bordereaux)', bordBox) : null,
    panel('Acquittements', acquitNotice.el, acquitForm, retourNotice.el, retourForm),
  );
  await loadBudget();
}
