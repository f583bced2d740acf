// « Mandats et Hélios »: the budget's mandats to send (held in the waiting train, refused with the reason), « Générer
// le bordereau de mandats » (PES_DepenseAller), the mandats sent and what Hélios said (acquit, retour), and the upload
// of a PES_DepenseRetour. The server decides everything; this page shows it.
import { get, post, qs } from '/assets/js/api.mjs';
import { currentStructure } from '/assets/js/app.mjs';
import { clear, downloadLink, h, inlineNotice, table } from '/assets/js/dom.mjs';
import { fileToBase64 } from '/assets/js/form.mjs';
import { formatDate, formatDateTime, formatMoney } from '/assets/js/format.mjs';

const STATE_CLASS = { ENVOYE: '', ACCEPTE: 'ok', PRIS_EN_CHARGE: 'ok', SOLDE: 'ok', EN_INSTANCE: 'A_TRAITER', REJETE: 'ko' };
let chosen = '';

export async function render(main) {
  const budgets = await get('/api/pes/budgets');
  const mine = budgets.find((b) => b.settings?.collectivite?.siret === currentStructure()?.siret)?.code;
  chosen = budgets.some((b) => b.code === chosen) ? chosen : mine ?? budgets[0]?.code ?? '';
  const select = h('select', { id: 'depense-budget' }, budgets.map((b) => h('option', { value: b.code, selected: b.code === chosen }, `${b.code} — ${b.settings?.collectivite?.label ?? ''}`)));
  const pendingBox = h('div');
  const sentBox = h('div');
  const filesBox = h('div');
  const resultBox = h('div', { id: 'depense-result', 'aria-live': 'polite' });
  const notice = inlineNotice({ id: 'depense-message' });
  const retourNotice = inlineNotice({ id: 'retour-message' });
  const retourBox = h('div', { id: 'retour-result' });

  const release = async (mandat) => {
    try {
      await post('/api/pes/depense/release', { budget: chosen, mandat });
      notice.show(`Mandat ${mandat} libéré du train d'attente : il partira avec le prochain bordereau.`);
      await load();
    } catch (err) {
      notice.show(err.message, 'error');
    }
  };

  const load = async () => {
    if (!chosen) return;
    const [o, bordereaux] = await Promise.all([get(`/api/pes/depense${qs({ budget: chosen })}`), get(`/api/pes/bordereaux${qs({ budget: chosen })}`)]);
    clear(
      pendingBox,
      table(
        [
          { label: 'Mandat', cell: (p) => p.mandat, class: 'nowrap' },
          { label: 'Facture', cell: (p) => h('a', { href: `#/facture/${p.invoiceId}` }, p.invoiceNumber), class: 'nowrap' },
          { label: 'Fournisseur', cell: (p) => p.supplierName, class: 'wrap' },
          { label: 'Montant', cell: (p) => formatMoney(p.amount), num: true },
          {
            label: 'Départ',
            class: 'wrap',
            cell: (p) =>
              p.held
                ? ["Train d'attente ", h('button', { type: 'button', dataset: { release: p.mandat }, onclick: () => release(p.mandat) }, 'Libérer')]
                : p.refusal
                  ? h('span', { class: 'error-text' }, p.refusal)
                  : 'Prochain bordereau',
          },
          { label: 'Rejet précédent (Hélios)', cell: (p) => (p.previousRejection ? h('span', { class: 'error-text' }, p.previousRejection) : ''), class: 'wrap' },
        ],
        o.pending,
        { caption: 'Mandats à envoyer', empty: 'Aucun mandat à envoyer à Hélios.', rowAttrs: (p) => ({ dataset: { pending: p.mandat } }) },
      ),
    );
    clear(
      sentBox,
      table(
        [
          { label: 'Bordereau', cell: (s) => `${s.year} n° ${s.bordereauNumber}`, class: 'nowrap' },
          { label: 'Mandat', cell: (s) => s.mandateNumber, class: 'nowrap' },
          { label: 'Facture', cell: (s) => h('a', { href: `#/facture/${s.invoiceId}` }, s.invoiceNumber), class: 'nowrap' },
          { label: 'Montant', cell: (s) => formatMoney(s.netAmount), num: true },
          { label: 'État chez Hélios', cell: (s) => h('span', { class: `badge ${STATE_CLASS[s.state] ?? ''}` }, s.stateLabel) },
          { label: 'Erreur ou motif d’Hélios', cell: (s) => (s.heliosReason ? h('span', { class: s.state === 'REJETE' ? 'error-text' : '' }, s.heliosReason) : ''), class: 'wrap' },
          { label: 'Depuis', cell: (s) => (s.stateAt ? formatDateTime(s.stateAt) : ''), class: 'nowrap' },
        ],
        o.sent,
        { caption: 'Mandats envoyés', empty: 'Aucun mandat envoyé.', rowAttrs: (s) => ({ dataset: { sent: `${s.mandateNumber}@${s.bordereauNumber}`, state: s.state } }) },
      ),
    );
    clear(
      filesBox,
      table(
        [
          { label: 'Bordereau', cell: (b) => `${b.year} n° ${b.number}`, class: 'nowrap' },
          { label: 'Fichier', cell: (b) => b.fileName, class: 'wrap' },
          { label: 'Mandats', cell: (b) => String(b.titreCount), num: true },
          { label: 'Montant', cell: (b) => formatMoney(b.amountHt), num: true },
          { label: 'Généré le', cell: (b) => formatDateTime(b.generatedAt), class: 'nowrap' },
          { label: 'Télécharger', cell: (b) => downloadLink(`/api/pes/bordereaux/${b.id}/file`, 'Télécharger', { dataset: { depenseFile: b.fileName } }) },
        ],
        bordereaux.filter((b) => b.domain === 'depense'),
        { caption: 'Bordereaux de mandats générés', empty: 'Aucun bordereau de mandats généré.' },
      ),
    );
  };

  select.addEventListener('change', () => {
    chosen = select.value;
    clear(resultBox);
    load().catch((e) => notice.show(e.message, 'error'));
  });

  let generating = false;
  const generate = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      id: 'depense-generate',
      disabled: !chosen,
      onclick: async () => {
        if (generating) return;
        generating = true;
        generate.disabled = true;
        try {
          const r = await post('/api/pes/depense/generate', { budget: chosen });
          clear(resultBox);
          if (r.items.length) {
            resultBox.append(
              h(
                'div',
                { class: 'notice inline', role: 'status' },
                r.items.map((b, k) => [k ? ', ' : '', `Bordereau ${b.year} n° ${b.number} (${b.mandats.length} mandat(s), ${formatMoney(b.amount)}) : `, downloadLink(`/api/pes/bordereaux/${b.id}/file`, b.fileName, { dataset: { generated: b.fileName } })]),
                '. Transmettez le fichier à Hélios (TdT).',
              ),
            );
            notice.clear();
          } else notice.show('Aucun mandat à mettre dans un bordereau.');
          if (r.refused.length) resultBox.append(h('div', { class: 'error-text', role: 'alert' }, h('p', {}, `${r.refused.length} mandat(s) refusé(s) :`), h('ul', {}, r.refused.map((x) => h('li', {}, x.reason)))));
          if (r.held.length) resultBox.append(h('p', { class: 'muted' }, `${r.held.length} mandat(s) retenu(s) dans le train d'attente.`));
          await load();
        } catch (err) {
          notice.show(err.message, 'error');
        } finally {
          generating = false;
          generate.disabled = !chosen;
        }
      },
    },
    'Générer le bordereau de mandats',
  );

  const retourFile = h('input', { type: 'file', id: 'retour-file', accept: '.xml,application/xml,text/xml' });
  const retourForm = h('form', { class: 'actions' }, h('label', { for: 'retour-file' }, 'Fichier PES_DepenseRetour reçu d’Hélios', retourFile), h('button', { type: 'submit' }, 'Lire le retour'));
  retourForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = retourFile.files?.[0];
    if (!file) return retourNotice.show('Choisissez le fichier PES_DepenseRetour.', 'error');
    try {
      const r = await post('/api/pes/depense/retour', { contentBase64: await fileToBase64(file), fileName: file.name });
      retourNotice.show(r.message ?? `Retour ${r.nomFic ?? file.name} lu : ${r.mandats.length} mandat(s), ${r.paidInvoices} facture(s) mise(s) en paiement.`, r.message && !r.alreadyApplied ? 'error' : 'ok');
      clear(
        retourBox,
        r.mandats.length
          ? h('ul', {}, r.mandats.map((m) => h('li', {}, `Mandat ${m.mandat} (facture ${m.invoiceNumber}) : ${m.etatLabel}${m.reason ? ` — ${m.reason}` : ''}`, m.paid.map((p) => ` ; payé ${formatMoney(p.amount)} le ${formatDate(p.paidOn)}`))))
          : null,
        r.unknown.length
          ? h('div', { class: 'error-text', role: 'alert' }, `Mandats inconnus de Passerelle (non rapprochés) : ${r.unknown.map((u) => `${u.year}-${u.bordereau} n° ${u.idPce}`).join(', ')}`)
          : null,
      );
      await load();
    } catch (err) {
      retourNotice.show(err.message, 'error');
    }
  });

  const panel = (title, ...body) => h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', {}, title)), h('div', { class: 'body' }, body));
  clear(
    main,
    h('h1', {}, 'Mandats et Hélios'),
    h('p', { class: 'sub' }, 'Les mandats partent chez le comptable en PES_Aller (bordereau de mandats, facture et PJ jointes) ; Hélios répond par l’acquittement puis le retour des paiements. ', h('a', { href: '#/virement', id: 'link-virement' }, 'Un fournisseur a reçu un virement ?')),
    budgets.length
      ? h('div', { class: 'actions' }, h('label', { for: 'depense-budget' }, 'Budget', select), generate)
      : h('p', { class: 'muted' }, 'Aucun budget PES paramétré : le gestionnaire principal le paramètre dans « Titres et PES ASAP ».'),
    notice.el,
    resultBox,
    budgets.length ? panel('Mandats à envoyer', pendingBox) : null,
    budgets.length ? panel('Mandats envoyés à Hélios', sentBox) : null,
    budgets.length ? panel('Bordereaux de mandats', filesBox) : null,
    panel('Retour des paiements (PES_DepenseRetour)', retourNotice.el, retourForm, retourBox, h('p', { class: 'hint' }, 'Les acquittements (PES_ACQUIT) se lisent dans « Titres et PES ASAP ».')),
  );
  await load();
}
