// « PES Facture ASAP (Paramétrage global) » of a budget (Corail): tabs Collectivité (with the signataire), Trésorerie,
// Modalités (with the talon optique and the closed exercices). Saved whole (PUT /api/pes/budgets); what an ASAP still
// lacks is listed after each save. Code lists and the talon notice come from GET /api/pes/meta.
import { get, put } from '/assets/js/api.mjs';
import { currentStructure } from '/assets/js/app.mjs';
import { clear, h, inlineNotice } from '/assets/js/dom.mjs';
import { pathField, readPaths, tabs } from '/assets/js/form.mjs';
import { bindNatJur, metaOptions, pesMeta } from '/assets/js/pes-codes.mjs';

const group = (legend, ...fields) => h('fieldset', { class: 'group' }, h('legend', {}, legend), h('div', { class: 'form-grid' }, fields));

function address(v, prefix, who) {
  return [
    pathField(v, `${prefix}.adr1`, `Complément de distribution (${who})`, { maxlength: 38 }),
    pathField(v, `${prefix}.adr2`, `Numéro et voie (${who})`, { maxlength: 38 }),
    pathField(v, `${prefix}.adr3`, `Lieu-dit, BP, TSA (${who})`, { maxlength: 38 }),
    pathField(v, `${prefix}.cp`, `Code postal (${who})`, { maxlength: 5, inputmode: 'numeric' }),
    pathField(v, `${prefix}.ville`, `Ville (${who})`, { maxlength: 38 }),
  ];
}

export async function render(main, [code]) {
  const [existing, meta] = await Promise.all([code && code !== 'nouveau' ? get(`/api/pes/budgets/${encodeURIComponent(code)}`) : null, pesMeta(get)]);
  const here = currentStructure();
  const v = existing?.settings ?? { collectivite: { siret: here?.siret ?? '', label: here?.name?.toUpperCase().slice(0, 38) ?? '', categorie: '23', natureJuridique: '09' }, modalites: { modeRecouvrement: 'TALON' } };
  const notice = inlineNotice({ id: 'budget-message' });
  // Closed exercices (journée complémentaire passed): generating a titre of one of them warns.
  const exercicesInput = h('input', { type: 'text', id: 'budget-exercices-clos', value: (v.exercicesClos ?? []).join(', '), placeholder: '2023, 2024', inputmode: 'numeric' });
  const exercices = h('label', { for: 'budget-exercices-clos' }, 'Exercices clos (années séparées par des virgules)', exercicesInput);
  const issuesBox = h('div', { id: 'budget-issues' });

  const category = pathField(v, 'collectivite.categorie', 'Catégorie', { type: 'select', options: metaOptions(meta.catTiers, v.collectivite?.categorie, h) });
  const nature = pathField(v, 'collectivite.natureJuridique', 'Nature juridique', { type: 'select', options: metaOptions(meta.natJur, v.collectivite?.natureJuridique, h) });
  bindNatJur(category.querySelector('select'), nature.querySelector('select'), meta, h);
  const collectivite = [
    group(
      'Collectivité',
      pathField(v, 'code', 'Code du budget (clé de Passerelle)', { required: true, maxlength: 50, readonly: Boolean(existing) }),
      pathField(v, 'collectivite.label', 'Collectivité (libellé)', { required: true, maxlength: 38 }),
      pathField(v, 'collectivite.siret', 'SIRET (IdColl)', { required: true, maxlength: 14, inputmode: 'numeric' }),
      pathField(v, 'collectivite.codCol', 'Code collectivité (CodCol)', { required: true, maxlength: 3 }),
      pathField(v, 'collectivite.codBud', 'Code budget (CodBud)', { required: true, maxlength: 2 }),
      pathField(v, 'collectivite.idPost', 'Poste comptable (IdPost)', { required: true, maxlength: 7 }),
      pathField(v, 'collectivite.libellePoste', 'Libellé du poste comptable', { maxlength: 38 }),
      category,
      nature,
      pathField(v, 'collectivite.horairesOuverture', 'Horaires d’ouverture', { maxlength: 38 }),
      pathField(v, 'collectivite.telephone', 'Téléphone', { maxlength: 20, type: 'tel' }),
      pathField(v, 'collectivite.email', 'Adresse électronique', { maxlength: 50, type: 'email' }),
      pathField(v, 'collectivite.refBdf', 'Numéro émetteur / ICS (RefBdf)', { maxlength: 13 }),
      pathField(v, 'collectivite.codServ', 'Code service émetteur (CodServ)', { maxlength: 10 }),
      pathField(v, 'collectivite.codeTipi', 'Code TIPI', { maxlength: 7, inputmode: 'numeric' }),
      pathField(v, 'collectivite.adrTipi', 'Adresse TIPI', { maxlength: 200 }),
    ),
    group('Adresse de la collectivité', ...address(v, 'collectivite.adresse', 'collectivité')),
    group(
      'Signataire',
      pathField(v, 'signataire.nom', 'Nom du signataire', { maxlength: 38 }),
      pathField(v, 'signataire.prenom', 'Prénom du signataire', { maxlength: 38 }),
      pathField(v, 'signataire.fonction', 'Fonction du signataire', { maxlength: 50, placeholder: 'Le Maire, Le Président…' }),
    ),
  ];
  const tresorerie = [
    group(
      'Trésorerie (Centre des Finances Publiques)',
      pathField(v, 'tresorerie.nom', 'Nom de la trésorerie', { required: true, maxlength: 38 }),
      pathField(v, 'tresorerie.horairesOuverture', 'Horaires d’accueil de la trésorerie', { maxlength: 38 }),
      pathField(v, 'tresorerie.telephone', 'Téléphone de la trésorerie', { maxlength: 20, type: 'tel' }),
      pathField(v, 'tresorerie.email', 'Adresse électronique de la trésorerie', { maxlength: 50, type: 'email' }),
      pathField(v, 'tresorerie.iban', 'IBAN de la trésorerie', { maxlength: 34, autocomplete: 'off' }),
      pathField(v, 'tresorerie.bic', 'BIC de la trésorerie', { maxlength: 11, autocomplete: 'off' }),
      pathField(v, 'tresorerie.titulaire', 'Titulaire du compte', { maxlength: 32 }),
    ),
    group('Adresse de la trésorerie', ...address(v, 'tresorerie.adresse', 'trésorerie')),
    group(
      'Centre d’encaissement',
      pathField(v, 'centreEncaissement.adresse.adr3', 'TSA du centre d’encaissement', { maxlength: 38 }),
      pathField(v, 'centreEncaissement.adresse.cp', 'Code postal du centre d’encaissement', { maxlength: 5 }),
      pathField(v, 'centreEncaissement.adresse.ville', 'Ville du centre d’encaissement', { maxlength: 38 }),
    ),
  ];
  const modalites = [
    group(
      'Modalités',
      pathField(v, 'modalites.modeRecouvrement', 'Mode de recouvrement', {
        type: 'select',
        options: metaOptions(meta.modesRecouvrement, v.modalites?.modeRecouvrement ?? 'TALON', h),
      }),
      pathField(v, 'modalites.reglement', 'Modalités de règlement', { type: 'textarea', maxlength: 250, wide: true }),
      pathField(v, 'modalites.voiesDeRecours', 'Voies de recours (modalités de contestation)', { type: 'textarea', maxlength: 420, wide: true }),
      pathField(v, 'modalites.conditionsGenerales', 'Conditions générales de facturation (non imprimées sur l’ASAP)', { type: 'textarea', maxlength: 250, wide: true }),
    ),
    group(
      'Talon optique',
      h('p', { class: 'hint wide', id: 'talon-notice' }, meta.talon.notice),
      pathField(v, 'talon.ligne1', 'Talon optique, ligne 1', { maxlength: 120, wide: true, placeholder: '{CODCOL}{CODBUD} {EXERCICE} {BORDEREAU:7} {TITRE:13}' }),
      pathField(v, 'talon.ligne2', 'Talon optique, ligne 2', { maxlength: 120, wide: true, placeholder: '{SIRET} {MONTANT:12}' }),
    ),
    group(
      'Exercices clos dans Hélios',
      exercices,
    ),
  ];
  const t = tabs(
    [
      { id: 'collectivite', label: 'Collectivité', body: collectivite },
      { id: 'tresorerie', label: 'Trésorerie', body: tresorerie },
      { id: 'modalites', label: 'Modalités', body: modalites },
    ],
    { label: 'Paramétrage PES Facture ASAP' },
  );
  const save = h('button', { type: 'submit', class: 'primary', id: 'budget-save' }, 'Valider');
  const form = h('form', { id: 'budget-form', novalidate: true }, t.el, notice.el, issuesBox, h('div', { class: 'actions' }, save, h('a', { href: '#/pes' }, 'Annuler')));

  const showIssues = (budget) =>
    clear(
      issuesBox,
      budget.issues?.length
        ? h('div', { class: 'notice inline error', role: 'alert' }, h('strong', {}, 'Encore à compléter pour un ASAP : '), h('ul', {}, budget.issues.map((i) => h('li', {}, i.message))))
        : null,
    );
  if (existing) showIssues(existing);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    try {
      const body = readPaths(form);
      body.signataire ??= {};
      body.tresorerie ??= {};
      body.centreEncaissement ??= { adresse: {} };
      body.modalites ??= {};
      body.exercicesClos = exercicesInput.value.split(/[\s,;]+/).filter(Boolean);
      const saved = await put('/api/pes/budgets', body);
      notice.show(`Paramétrage du budget ${saved.code} enregistré.`);
      showIssues(saved);
      if (!existing) history.replaceState(null, '', `#/pes-budget/${encodeURIComponent(saved.code)}`);
    } catch (err) {
      const issues = err.details?.issues;
      notice.show(issues?.length ? ['Paramétrage refusé :', h('ul', {}, issues.map((i) => h('li', {}, i.message)))] : err.message, 'error');
    } finally {
      save.disabled = false;
    }
  });

  clear(
    main,
    h('p', {}, h('a', { href: '#/pes' }, '‹ Titres et PES ASAP')),
    h('h1', {}, existing ? `PES Facture ASAP — paramétrage du budget ${existing.code}` : 'PES Facture ASAP — nouveau budget'),
    h('p', { class: 'sub' }, 'Paramétrage global des avis des sommes à payer : remplissez les trois onglets, puis « Valider ».'),
    h('section', { class: 'panel' }, h('div', { class: 'body' }, form)),
  );
}
