// « Titre de recette » entry (Corail's Recettes / Titres de recettes) with its lines and the « PES Facture ASAP » part
// (débiteur, type ASAP, code service and engagement of an ASAP CPP, PDF joint). A new titre, or one still pending
// (not yet in a generated bordereau), edited. Every rule is the server's: refusals come back in French, field by field.
import { get, post, put } from '/assets/js/api.mjs';
import { clear, h, inlineNotice } from '/assets/js/dom.mjs';
import { fileToBase64, pathField, readPaths } from '/assets/js/form.mjs';
import { centsToDecimal, formatMoney, parseAmountToCents } from '/assets/js/format.mjs';
import { bindNatJur, codeOptions, metaOptions, NAT_PCE, pesMeta, TYP_PCE } from '/assets/js/pes-codes.mjs';

const LINE_FIELDS = [
  ['productCode', 'Code produit', { size: 5, maxlength: 4 }],
  ['nature', 'Nature (compte)', { size: 8, maxlength: 12 }],
  ['fonction', 'Fonction', { size: 6, maxlength: 10 }],
  ['operation', 'Opération', { size: 6, maxlength: 10 }],
  ['label', 'Libellé', { size: 24, maxlength: 160 }],
  ['quantity', 'Quantité', { size: 5, inputmode: 'decimal' }],
  ['unitPrice', 'Prix unitaire HT', { size: 9, inputmode: 'decimal' }],
  ['amountHt', 'Montant HT', { size: 10, inputmode: 'decimal' }],
  ['vatRate', 'Taux TVA (%)', { size: 5, inputmode: 'decimal' }],
];
const NUMERIC = new Set(['quantity', 'unitPrice', 'amountHt', 'vatRate', 'amountTva']);

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
const group = (legend, ...fields) => h('fieldset', { class: 'group' }, h('legend', {}, legend), h('div', { class: 'form-grid' }, fields));

/** « 1 250,50 » → « 1250.50 » for the API; anything else is sent as typed (the server explains). */
function decimal(text) {
  const cents = parseAmountToCents(text);
  return cents === null ? text : centsToDecimal(cents);
}

export async function render(main, [budgetCode, id]) {
  const [titre, meta] = await Promise.all([id && id !== 'nouveau' ? get(`/api/titres/${encodeURIComponent(id)}`) : null, pesMeta(get)]);
  const budget = titre?.budget ?? budgetCode;
  const frozen = titre && titre.status !== 'EN_ATTENTE';
  const v = titre ?? { issueDate: today(), typPce: '01', natPce: '01', edition: '01', debtor: { category: '01', legalNature: '01', address: {} } };
  const notice = inlineNotice({ id: 'titre-message' });

  const edition = pathField(v, 'edition', 'Type ASAP PES', { type: 'select', options: metaOptions(meta.editions, v.edition, h) });
  // ASAP CPP (Edition 02): the invoice Chorus Pro hands the debtor, with its references in the debtor's directory.
  const cppPart = group(
    'ASAP CPP (Chorus Pro) : facture et références du débiteur',
    pathField(v, 'invoiceNumber', 'N° de facture (NumeroFacture)', { maxlength: 20 }),
    pathField(v, 'serviceCode', 'Code service du débiteur', { maxlength: 100 }),
    pathField(v, 'serviceName', 'Nom du service du débiteur', { maxlength: 100 }),
    pathField(v, 'engagementNumber', 'N° d’engagement du débiteur', { maxlength: 50 }),
    pathField(v, 'marketNumber', 'N° de marché', { maxlength: 50 }),
  );
  const category = pathField(v, 'debtor.category', 'Catégorie du débiteur', { type: 'select', options: metaOptions(meta.catTiers, v.debtor?.category, h) });
  const nature = pathField(v, 'debtor.legalNature', 'Nature juridique du débiteur', { type: 'select', options: metaOptions(meta.natJur, v.debtor?.legalNature, h) });
  bindNatJur(category.querySelector('select'), nature.querySelector('select'), meta, h);
  const civility = pathField(v, 'debtor.civility', 'Civilité', { type: 'select', options: [h('option', { value: '' }, '—'), ...metaOptions(meta.civilites, v.debtor?.civility, h)] });
  const showCpp = () => (cppPart.hidden = edition.querySelector('select').value !== '02');
  edition.querySelector('select').addEventListener('change', showCpp);

  const pdfInput = h('input', { type: 'file', id: 'titre-pdf', accept: 'application/pdf,.pdf' });
  const keepPdf = titre?.pdfName ? h('input', { type: 'checkbox', id: 'titre-keep-pdf', checked: true }) : null;

  // Lines, with the totals computed as the server does (VAT from the rate, half-up to the cent).
  const tbody = h('tbody');
  const totals = h('p', { id: 'titre-totals', 'aria-live': 'polite' });
  let seq = 0;
  const addLine = (line = {}) => {
    seq += 1;
    const n = seq;
    const tr = h(
      'tr',
      { dataset: { line: String(n) } },
      LINE_FIELDS.map(([name, label, attrs]) =>
        h('td', {}, h('input', { type: 'text', name, 'aria-label': `${label}, ligne ${n}`, value: line[name] !== undefined && line[name] !== null ? String(line[name]).replace('.', ',') : '', ...attrs })),
      ),
      h('td', {}, h('button', { type: 'button', class: 'link', 'aria-label': `Enlever la ligne ${n}`, onclick: () => (tr.remove(), updateTotals()) }, 'Enlever')),
    );
    tbody.append(tr);
    updateTotals();
  };
  const lines = () =>
    [...tbody.querySelectorAll('tr')].map((tr) => {
      const out = {};
      for (const input of tr.querySelectorAll('input')) {
        const value = input.value.trim();
        if (value) out[input.name] = NUMERIC.has(input.name) ? decimal(value) : value;
      }
      return out;
    });
  const updateTotals = () => {
    let ht = 0n;
    let tva = 0n;
    let unreadable = 0;
    for (const l of lines()) {
      const c = parseAmountToCents(l.amountHt ?? '');
      const rate = parseAmountToCents(l.vatRate ?? '0');
      if (c === null || rate === null) {
        unreadable += 1;
        continue;
      }
      ht += c;
      tva += (c * rate + 5000n) / 10000n; // rate in hundredths of a percent
    }
    totals.textContent = unreadable
      ? `${unreadable} ligne(s) sans montant lisible (en euros, ex. 1 250,50).`
      : `Total HT ${formatMoney(centsToDecimal(ht))} · TVA ${formatMoney(centsToDecimal(tva))} · TTC ${formatMoney(centsToDecimal(ht + tva))}`;
    totals.className = unreadable ? 'total-ko' : 'total-ok';
  };
  tbody.addEventListener('input', updateTotals);
  for (const l of titre?.lines ?? [{}]) addLine(l);

  const save = h('button', { type: 'submit', class: 'primary', id: 'titre-save', disabled: Boolean(frozen) }, titre ? 'Enregistrer les modifications' : 'Enregistrer le titre');
  const form = h(
    'form',
    { id: 'titre-form', novalidate: true },
    group(
      'Titre',
      pathField(v, 'issueDate', 'Date d’émission', { type: 'date', required: true }),
      pathField(v, 'object', 'Objet', { required: true, maxlength: 160 }),
      pathField(v, 'typPce', 'Type de pièce PES', { type: 'select', options: codeOptions(TYP_PCE, v.typPce, h) }),
      pathField(v, 'natPce', 'Nature de pièce PES', { type: 'select', options: codeOptions(NAT_PCE, v.natPce, h) }),
      pathField(v, 'codServ', 'Code service émetteur', { maxlength: 10 }),
      pathField(v, 'ref', 'Référence (logiciel de facturation)', { maxlength: 100 }),
    ),
    h(
      'fieldset',
      { class: 'group' },
      h('legend', {}, 'Imputations (lignes du titre)'),
      h('div', { class: 'table-wrap' }, h('table', { id: 'titre-lines' }, h('thead', {}, h('tr', {}, [...LINE_FIELDS.map(([, l]) => h('th', { scope: 'col' }, l)), h('th', {}, '')])), tbody)),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => addLine() }, 'Ajouter une ligne')),
      totals,
    ),
    h(
      'fieldset',
      { class: 'group', id: 'asap' },
      h('legend', {}, 'PES Facture ASAP'),
      h('div', { class: 'form-grid' }, edition),
      h(
        'div',
        { class: 'form-grid' },
        category,
        nature,
        civility,
        pathField(v, 'debtor.name', 'Nom ou raison sociale du débiteur', { required: true, maxlength: 38 }),
        pathField(v, 'debtor.firstName', 'Prénom', { maxlength: 38 }),
        pathField(v, 'debtor.complName', 'Complément de nom', { maxlength: 38 }),
        pathField(v, 'debtor.siret', 'SIRET du débiteur', { maxlength: 14, inputmode: 'numeric' }),
        pathField(v, 'debtor.address.adr1', 'Complément de distribution', { maxlength: 38 }),
        pathField(v, 'debtor.address.adr2', 'Numéro et voie', { maxlength: 38 }),
        pathField(v, 'debtor.address.adr3', 'Lieu-dit, BP', { maxlength: 38 }),
        pathField(v, 'debtor.address.cp', 'Code postal', { maxlength: 5, inputmode: 'numeric' }),
        pathField(v, 'debtor.address.ville', 'Ville', { maxlength: 38 }),
        pathField(v, 'debtor.address.codPays', 'Code pays INSEE (à l’étranger)', { maxlength: 3, inputmode: 'numeric' }),
      ),
      cppPart,
      h(
        'details',
        { class: 'group' },
        h('summary', {}, 'Talon optique calculé par le logiciel comptable (facultatif)'),
        h('p', { class: 'hint' }, meta.talon.notice),
        h(
          'div',
          { class: 'form-grid' },
          pathField(v, 'talon.ligne1', 'Talon, ligne 1', { maxlength: 60, wide: true }),
          pathField(v, 'talon.ligne2', 'Talon, ligne 2', { maxlength: 60, wide: true }),
        ),
      ),
      h(
        'div',
        { class: 'form-grid' },
        h('label', { for: 'titre-pdf' }, titre?.pdfName ? 'Remplacer le PDF joint' : 'PDF joint (facture, convention…)', pdfInput),
        keepPdf ? h('label', { class: 'inline', for: 'titre-keep-pdf' }, keepPdf, `Garder le PDF joint « ${titre.pdfName} »`) : null,
      ),
    ),
    notice.el,
    h('div', { class: 'actions' }, save, h('a', { href: '#/pes' }, 'Retour aux titres')),
  );
  showCpp();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (frozen) return;
    save.disabled = true;
    try {
      const body = readPaths(form);
      body.lines = lines().filter((l) => Object.keys(l).length > 0);
      if (body.edition !== '02') for (const k of ['invoiceNumber', 'serviceCode', 'serviceName', 'engagementNumber', 'marketNumber']) delete body[k];
      const file = pdfInput.files?.[0];
      if (file) body.pdf = { name: file.name, base64: await fileToBase64(file) };
      else if (keepPdf?.checked) body.keepPdf = true;
      const saved = titre ? await put(`/api/titres/${titre.id}`, body) : await post('/api/titres', { ...body, budget });
      if (!titre) history.replaceState(null, '', `#/titre/${encodeURIComponent(budget)}/${saved.id}`);
      notice.show([
        `Titre ${saved.year}-${saved.number} enregistré (${formatMoney(saved.amountTtc)} TTC). `,
        h('a', { href: '#/pes' }, 'Retour aux titres'),
        saved.warnings?.length ? h('ul', {}, saved.warnings.map((w) => h('li', {}, w.message))) : null,
      ]);
    } catch (err) {
      const issues = err.details?.issues;
      notice.show(issues?.length ? ['Titre refusé :', h('ul', {}, issues.map((i) => h('li', {}, i.message)))] : err.message, 'error');
    } finally {
      save.disabled = Boolean(frozen);
    }
  });

  clear(
    main,
    h('p', {}, h('a', { href: '#/pes' }, '‹ Titres et PES ASAP')),
    h('h1', {}, titre ? `Titre ${titre.year}-${titre.number} (budget ${budget})` : `Nouveau titre de recette (budget ${budget})`),
    frozen ? h('p', { class: 'error-text', role: 'alert' }, 'Ce titre est dans un bordereau généré : il ne peut plus être modifié.') : null,
    titre?.asapRetour ? h('p', { class: 'notice inline', id: 'titre-asap-retour' }, asapRetourText(titre.asapRetour)) : null,
    titre?.warnings?.length ? h('ul', { class: 'hint' }, titre.warnings.map((w) => h('li', {}, w.message))) : null,
    titre?.lastRefusal ? h('p', { class: 'error-text' }, `Non généré : ${titre.lastRefusal}`) : null,
    h('section', { class: 'panel' }, h('div', { class: 'body' }, form)),
  );
}

const ASAP_STATES = { POSTALISE: 'remis à La Poste', NOTIFIE: 'notifié au débiteur (espace en ligne)', LU: 'lu par le débiteur', REJETE: 'rejeté' };

/** What Hélios said of the ASAP (PES_AsapRetour): posted, notified, read, rejected — with its dates. */
export function asapRetourText(r) {
  const date = r.firstReadOn ?? r.notifiedOn ?? r.postedOn ?? r.rejectedOn;
  const when = date ? ` le ${date.split('-').reverse().join('/')}` : '';
  return `ASAP ${ASAP_STATES[r.state] ?? r.state}${when}${r.state === 'REJETE' && r.rejectionReason ? ` : ${r.rejectionReason}` : ''}${r.relance ? ' (représenté sans sa pièce jointe)' : ''}.`;
}
